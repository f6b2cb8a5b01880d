import Mustache

/// The console's pages as Mustache templates, compiled into the binary (no resource files to ship beside it).
/// Each begins with the ``ConsoleHTML`` pragma, so every `{{value}}` is escaped by code point; none uses the
/// unescaped `{{{value}}}` or `{{& value}}` forms (a test checks both).
enum ConsoleTemplates {
    static let pragma = "{{% CONTENT_TYPE: \(ConsoleHTML.name) }}"

    /// Template texts by name; partials are `header` and `footer`.
    static let sources: [String: String] = [
        "header": """
            \(pragma)<!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>{{title}} · Leadflow console</title>
            <link rel="stylesheet" href="/console/console.css"><link rel="icon" href="/console/favicon.svg"></head>
            <body><header><a class="brand" href="/console/leads">Leadflow</a>
            {{#session}}<nav aria-label="Console"><a href="/console/leads">Leads</a> <a href="/console/org">Organization</a> <a href="/console/pipelines">Pipelines</a> <a href="/console/dead-letters">Dead letters</a>{{#mayAudit}} <a href="/console/audit">Audit log</a>{{/mayAudit}}</nav>
            <form method="post" action="/console/logout" class="who"><span>{{tokenName}} · {{role}}</span>
            <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Log out</button></form>{{/session}}
            </header><main>

            """,
        "footer": """
            \(pragma)</main></body></html>

            """,
        "login": """
            \(pragma){{> header}}<h1>Log in</h1>
            {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
            <form method="post" action="/console/login" class="stack">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="token">Admin token</label>
            <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required autofocus>
            <button type="submit">Log in</button></form>
            <p class="hint">A token made with <code>leadflow admin token create</code>. It stays in the database as its
            hash; the browser keeps a session cookie for {{sessionHours}} hours instead.</p>
            {{> footer}}
            """,
        "leads": """
            \(pragma){{> header}}<h1>Leads</h1>
            <form method="get" action="/console/leads" class="search">
            <label for="org">Organization</label>
            <input id="org" name="org" value="{{org}}" list="organizations" required>
            <datalist id="organizations">{{#organizations}}<option value="{{.}}">{{/organizations}}</datalist>
            <label for="by">By</label>
            <select id="by" name="by">{{#criteria}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/criteria}}</select>
            <label for="value">Value</label>
            <input id="value" name="value" value="{{value}}" required>
            <button type="submit">Search</button></form>
            {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
            {{#searched}}{{#hasLeads}}<table><caption>{{count}} found</caption>
            <thead><tr><th scope="col">Lead</th><th scope="col">Email</th><th scope="col">Phone</th><th scope="col">Name</th></tr></thead><tbody>
            {{#leads}}<tr><td><a href="{{link}}">{{externalID}}</a></td><td>{{email}}</td><td>{{phone}}</td><td>{{name}}</td></tr>{{/leads}}
            </tbody></table>{{/hasLeads}}{{^hasLeads}}<p>No lead of {{org}} has that {{criterion}}.</p>{{/hasLeads}}{{/searched}}
            {{> footer}}
            """,
        "lead": """
            \(pragma){{> header}}<p><a href="{{backLink}}">Leads of {{org}}</a></p>
            <h1>{{heading}}</h1>
            {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}
            <dl class="fields">{{#fields}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/fields}}</dl>
            <h2>Open actions</h2>
            {{#hasActions}}<table><thead><tr><th scope="col">Action</th><th scope="col">Pipeline · stage</th><th scope="col">Status</th>
            <th scope="col">Attempts</th><th scope="col">Why it waits</th></tr></thead><tbody>
            {{#actions}}<tr><td>#{{id}} {{type}}</td><td>{{pipeline}} · {{stage}}</td><td>{{status}}</td><td>{{attempts}}</td>
            <td class="why" data-reason="{{reason}}">{{explanation}}{{#lastError}}<br><span class="error">{{.}}</span>{{/lastError}}</td></tr>{{/actions}}
            </tbody></table>{{/hasActions}}{{^hasActions}}<p>None: nothing of this lead is waiting.</p>{{/hasActions}}
            {{#controls}}<section class="controls" aria-label="Controls"><h2>Controls</h2>
            {{#canReplay}}<form method="post" action="/console/lead/replay"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="org" value="{{org}}"><input type="hidden" name="id" value="{{leadID}}">
            <button type="submit" id="replay">Replay dead actions…</button></form>{{/canReplay}}
            {{#canCancel}}<form method="post" action="/console/lead/cancel" class="search"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="org" value="{{org}}"><input type="hidden" name="id" value="{{leadID}}">
            <label for="reason">Reason</label><input id="reason" name="reason" required maxlength="500">
            <button type="submit" id="cancel">Cancel open work…</button></form>{{/canCancel}}
            </section>{{/controls}}
            <h2>Timeline</h2>
            {{#hasEntries}}<table class="timeline"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Event</th>
            <th scope="col">Pipeline · stage</th><th scope="col">Detail</th><th scope="col">By</th></tr></thead><tbody>
            {{#entries}}<tr><td><time datetime="{{at}}">{{when}}</time></td><td>{{kind}}</td><td>{{place}}</td><td>{{detail}}</td><td>{{actor}}</td></tr>{{/entries}}
            </tbody></table>{{#more}}<p class="hint">The latest {{shown}} events; <code>leadflow lead timeline</code> pages through all.</p>{{/more}}
            {{/hasEntries}}{{^hasEntries}}<p>No events recorded.</p>{{/hasEntries}}
            {{> footer}}
            """,
        "organization": """
            \(pragma){{> header}}{{^chosen}}<h1>Organization</h1>
            <form method="get" action="/console/org" class="search"><label for="org">Organization</label>
            <input id="org" name="org" list="organizations" required>
            <datalist id="organizations">{{#organizations}}<option value="{{.}}">{{/organizations}}</datalist>
            <button type="submit">Open</button></form>{{/chosen}}
            {{#chosen}}<h1>{{org}}</h1><p><a href="{{leadsLink}}">Its leads</a></p>
            {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}
            <h2>Pauses in force</h2>
            {{#hasPauses}}<table class="pauses"><thead><tr><th scope="col">Paused</th><th scope="col">Since (UTC)</th><th scope="col">By</th>
            <th scope="col">Reason</th><th scope="col"></th></tr></thead><tbody>
            {{#pauses}}<tr data-scope="{{scope}}"><td>{{what}}</td><td>{{since}}</td><td>{{by}}</td><td>{{reason}}</td><td>{{#resumable}}
            <form method="post" action="/console/org/resume"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="org" value="{{org}}"><input type="hidden" name="scope" value="{{scope}}">
            <button type="submit">Resume</button></form>{{/resumable}}</td></tr>{{/pauses}}
            </tbody></table>{{/hasPauses}}{{^hasPauses}}<p>None: its work runs.</p>{{/hasPauses}}
            {{#canPause}}<form method="post" action="/console/org/pause" class="search"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="org" value="{{org}}"><label for="scope">Pause</label>
            <select id="scope" name="scope">{{#scopes}}<option value="{{value}}">{{label}}</option>{{/scopes}}</select>
            <label for="reason">Reason</label><input id="reason" name="reason" maxlength="500">
            <button type="submit" id="pause">Pause</button></form>{{/canPause}}
            <h2>Limits and work in flight</h2>
            <table><thead><tr><th scope="col">Channel</th><th scope="col">In flight</th><th scope="col">Most in flight</th>
            <th scope="col">Rate</th><th scope="col">Burst</th></tr></thead><tbody>
            {{#channels}}<tr><td>{{channel}}</td><td>{{inFlight}}</td><td>{{maxInFlight}}</td><td>{{rate}}</td><td>{{burst}}</td></tr>{{/channels}}
            </tbody></table>{{/chosen}}
            {{> footer}}
            """,
        "pipelines": """
            \(pragma){{> header}}<h1>Pipelines</h1>
            <form method="get" action="/console/pipelines" class="search"><label for="org">Organization</label>
            <input id="org" name="org" value="{{org}}" list="organizations" required>
            <datalist id="organizations">{{#organizations}}<option value="{{.}}">{{/organizations}}</datalist>
            <button type="submit">Show</button></form>
            {{#chosen}}{{#hasPipelines}}<table class="pipelines"><thead><tr><th scope="col">Pipeline</th><th scope="col">Version</th>
            <th scope="col">Stages</th><th scope="col">Updated (UTC)</th><th scope="col">State</th></tr></thead><tbody>
            {{#pipelines}}<tr><td><a href="{{link}}">{{name}}</a></td><td>{{version}}</td><td>{{stages}}</td><td>{{updated}}</td>
            <td>{{#paused}}{{.}}{{/paused}}{{^paused}}running{{/paused}}</td></tr>{{/pipelines}}
            </tbody></table>{{/hasPipelines}}{{^hasPipelines}}<p>{{org}} has no pipeline.</p>{{/hasPipelines}}{{/chosen}}
            {{> footer}}
            """,
        "pipeline": """
            \(pragma){{> header}}<p><a href="{{backLink}}">Pipelines of {{org}}</a></p>
            <h1>{{name}}</h1><p class="hint">Version {{version}}</p>
            {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}
            {{#pause}}<p class="error" role="status">Paused by {{by}} since {{since}}{{#reason}}: {{.}}{{/reason}}</p>{{/pause}}
            {{#canResume}}<form method="post" action="/console/pipeline/resume"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="org" value="{{org}}"><input type="hidden" name="name" value="{{name}}">
            <button type="submit" id="resume">Resume</button></form>{{/canResume}}
            {{#canPause}}<form method="post" action="/console/pipeline/pause" class="search"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="org" value="{{org}}"><input type="hidden" name="name" value="{{name}}">
            <label for="reason">Reason</label><input id="reason" name="reason" maxlength="500">
            <button type="submit" id="pause">Pause this pipeline</button></form>{{/canPause}}
            <h2>Leads in each stage</h2>
            <table class="funnel"><thead><tr><th scope="col">Stage</th><th scope="col">Actions</th><th scope="col">Leads now</th><th scope="col"></th></tr></thead><tbody>
            {{#stages}}<tr><td>{{name}}{{#retired}} <span class="hint">(no longer in the definition)</span>{{/retired}}</td><td>{{actions}}</td>
            <td>{{leads}}</td><td><meter min="0" max="{{most}}" value="{{leads}}">{{leads}}</meter></td></tr>{{/stages}}
            </tbody></table>
            {{> footer}}
            """,
        "dead-letters": """
            \(pragma){{> header}}<h1>Dead letters</h1>
            {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}
            <form method="get" action="/console/dead-letters" class="search"><label for="org">Organization</label>
            <input id="org" name="org" value="{{org}}"><label for="type">Type</label>
            <select id="type" name="type"><option value="">any</option>{{#types}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/types}}</select>
            <label for="error">Error contains</label><input id="error" name="error" value="{{error}}">
            <button type="submit">Filter</button></form>
            {{#hasLetters}}<h2>By error</h2><table class="groups"><thead><tr><th scope="col">Last error</th><th scope="col">Actions</th></tr></thead><tbody>
            {{#groups}}<tr><td>{{error}}</td><td>{{count}}</td></tr>{{/groups}}</tbody></table>
            <h2>Actions</h2><table class="letters"><caption>{{count}} on this page</caption><thead><tr><th scope="col">Action</th>
            <th scope="col">Lead</th><th scope="col">Pipeline · stage</th><th scope="col">Attempts</th><th scope="col">Died (UTC)</th>
            <th scope="col">Last error</th><th scope="col"></th></tr></thead><tbody>
            {{#letters}}<tr data-id="{{id}}"><td>#{{id}} {{type}} · {{org}}</td><td><a href="{{leadLink}}">{{lead}}</a></td><td>{{place}}</td>
            <td>{{attempts}}</td><td>{{died}}</td><td>{{lastError}}</td><td>{{#mayAct}}{{#replayable}}
            <form method="post" action="/console/dead-letters/replay"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="id" value="{{id}}"><input type="hidden" name="back" value="{{back}}">
            <button type="submit">Replay</button></form>{{/replayable}}{{#blocker}}<span class="hint">{{.}}</span>{{/blocker}}
            <form method="post" action="/console/dead-letters/discard"><input type="hidden" name="csrf" value="{{session.csrf}}">
            <input type="hidden" name="id" value="{{id}}"><input type="hidden" name="back" value="{{back}}">
            <button type="submit">Discard</button></form>{{/mayAct}}</td></tr>{{/letters}}
            </tbody></table>{{#next}}<p><a href="{{.}}">More dead letters</a></p>{{/next}}{{/hasLetters}}
            {{^hasLetters}}<p>No dead action matches.</p>{{/hasLetters}}
            {{> footer}}
            """,
        "audit": """
            \(pragma){{> header}}<h1>Audit log</h1>
            <form method="get" action="/console/audit" class="search"><label for="org">Organization</label>
            <input id="org" name="org" value="{{org}}"><label for="action">Action</label>
            <select id="action" name="action"><option value="">any</option>{{#actions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/actions}}</select>
            <button type="submit">Filter</button></form>
            {{#hasEntries}}<table class="audit"><thead><tr><th scope="col">When (UTC)</th><th scope="col">By</th><th scope="col">Action</th>
            <th scope="col">Organizations</th><th scope="col">Target</th><th scope="col">Rows</th><th scope="col">Detail</th></tr></thead><tbody>
            {{#entries}}<tr><td><time datetime="{{at}}">{{when}}</time></td><td>{{actor}}</td><td>{{action}}</td><td>{{organizations}}</td>
            <td>{{target}}</td><td>{{rows}}</td><td><code>{{detail}}</code></td></tr>{{/entries}}
            </tbody></table>{{#next}}<p><a href="{{.}}">Older entries</a></p>{{/next}}{{/hasEntries}}
            {{^hasEntries}}<p>No entry matches.</p>{{/hasEntries}}
            {{> footer}}
            """,
        "confirm": """
            \(pragma){{> header}}<h1>{{question}}</h1>
            {{#changed}}<p class="error" role="alert">{{.}}</p>{{/changed}}
            <p class="effect">{{effect}}</p>
            {{^nothing}}<form method="post" action="{{action}}"><input type="hidden" name="csrf" value="{{session.csrf}}">
            {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}<input type="hidden" name="confirm" value="yes">
            <button type="submit" id="confirm">{{button}}</button> <a href="{{back}}">Back</a></form>{{/nothing}}
            {{#nothing}}<p><a href="{{back}}">Back</a></p>{{/nothing}}
            {{> footer}}
            """,
        "problem": """
            \(pragma){{> header}}<h1>{{title}}</h1>
            <p class="error" role="alert">{{detail}}</p>
            {{#session}}<p><a href="/console/leads">Back to leads</a></p>{{/session}}{{^session}}<p><a href="/console/login">Log in</a></p>{{/session}}
            {{> footer}}
            """,
    ]

    /// The parsed templates; a template that does not parse is a programming error, caught by the tests.
    static let library: MustacheLibrary = {
        _ = ConsoleHTML.registered
        var library = MustacheLibrary()
        for (name, source) in sources {
            do { try library.register(source, named: name) } catch { fatalError("console template \(name): \(error)") }
        }
        return library
    }()

    /// `page` rendered with `context`.
    static func render(_ page: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: page) ?? ""
    }

    /// The icon: a white L on the header's blue.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1b3a5c"/>\
        <path d="M5 3v10h7v-2H7V3z" fill="#fff"/></svg>

        """

    /// The stylesheet: plain, readable on a narrow screen, visible focus for keyboard use.
    static let stylesheet = """
        :root { font-family: system-ui, sans-serif; line-height: 1.4; color: #1b1f24; background: #fff; }
        body { margin: 0; }
        header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #1b3a5c; color: #fff; }
        header a { color: #fff; }
        .brand { font-weight: 700; text-decoration: none; }
        nav { display: flex; gap: .75rem; }
        table + form { margin-top: .75rem; }
        .who { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
        main { padding: 1rem; max-width: 72rem; }
        h1, h2, p, td, dd { overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        .fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        .fields dt { font-weight: 600; }
        .fields dd { margin: 0; overflow-wrap: anywhere; }
        .search, .stack { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: 1rem; }
        .stack { flex-direction: column; align-items: flex-start; max-width: 28rem; }
        .stack input { width: 100%; }
        input, select, button { font: inherit; padding: .3rem .5rem; }
        button { cursor: pointer; }
        :focus-visible { outline: 3px solid #e3a008; outline-offset: 2px; }
        .error { color: #a40e26; }
        .notice { background: #dafbe1; padding: .5rem .75rem; border-radius: 4px; }
        .controls form { margin-bottom: .75rem; }
        .hint { color: #57606a; font-size: .9rem; }

        """
}
