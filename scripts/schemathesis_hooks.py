"""Schemathesis hooks for the admin API's conformance test (Tests/LeadflowCLITests/AdminConformanceTests.swift).

Schemathesis leaves a `%` of a generated path parameter as it is, taking `%08` for an escape already made, so
an organization id that the contract allows, such as `a%08b`, reaches the service as `a<backspace>b` and is
rightly refused; the run then reports a schema-valid request rejected. Escaping `%` sends the value that was
generated. Nothing else is changed.
"""

import schemathesis


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    if not path_parameters:
        return path_parameters
    return {
        name: value.replace("%", "%25") if isinstance(value, str) else value
        for name, value in path_parameters.items()
    }
