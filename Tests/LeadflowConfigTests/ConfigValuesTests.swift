import LeadflowConfig
import LeadflowDomain
import Testing

@Suite("Configuration")
struct ConfigValuesTests {
    @Test("defaults run everything on one machine")
    func defaults() throws {
        let settings = try LeadflowSettings.resolve(ConfigValues(keys: LeadflowSettings.keys))
        #expect(settings.ingest.endpoint == "tcp://127.0.0.1:4222")
        #expect(settings.scheduler.claimBatch == 1000)
        #expect(settings.scheduler.lease == .seconds(300))
        #expect(settings.handlers[.email]?.driver == "log")
        #expect(settings.handlers[.sms]?.dispatchEndpoints == ["tcp://127.0.0.1:4231"])
        #expect(settings.databaseURL == nil)
        #expect(settings.shutdownTimeout == .seconds(30))
    }

    @Test("service.shutdown_timeout is a duration of at most an hour")
    func shutdownTimeout() throws {
        let set = try LeadflowSettings.resolve(
            ConfigValues(keys: LeadflowSettings.keys, environment: ["LEADFLOW_SERVICE_SHUTDOWN_TIMEOUT": "1500ms"]))
        #expect(set.shutdownTimeout == .milliseconds(1500))
        let error = try #require(throws: ConfigError.self) {
            try LeadflowSettings.resolve(
                ConfigValues(keys: LeadflowSettings.keys, overrides: ["service.shutdown_timeout": "2h"]))
        }
        #expect(error.description.contains("service.shutdown_timeout must be at most 1h"), "\(error)")
    }

    @Test("the scheduler's sessions plan with the tables' current size unless scheduler.plan_cache_mode says otherwise")
    func planCacheMode() throws {
        let defaults = try LeadflowSettings.resolve(ConfigValues(keys: LeadflowSettings.keys))
        #expect(defaults.scheduler.sessionSettings == ["plan_cache_mode": "force_custom_plan"])
        #expect(defaults.scheduler.followUpClaims)
        let auto = try LeadflowSettings.resolve(
            ConfigValues(
                keys: LeadflowSettings.keys,
                overrides: ["scheduler.plan_cache_mode": "auto", "scheduler.follow_up_claims": "false"]))
        #expect(auto.scheduler.sessionSettings == ["plan_cache_mode": "auto"])
        #expect(!auto.scheduler.followUpClaims)
        let error = try #require(throws: ConfigError.self) {
            try LeadflowSettings.resolve(
                ConfigValues(keys: LeadflowSettings.keys, overrides: ["scheduler.plan_cache_mode": "custom"]))
        }
        #expect(
            error.description.contains(
                "plan cache mode must be one of force_custom_plan, auto, force_generic_plan (got \"custom\")"),
            "\(error)")
    }

    @Test("retry policies per action type fall back to the scheduler's; tenant limits take decimals and reach the admin service")
    func perTypeRetryAndTenantLimits() throws {
        let values = try ConfigValues(
            keys: LeadflowSettings.keys,
            overrides: [
                "scheduler.retry_base": "2s", "scheduler.webhook.retry_base": "250ms", "scheduler.sms.retry_cap": "1h",
                "tenant.rate_per_second": "0.5", "tenant.max_in_flight": "20",
            ])
        let settings = try LeadflowSettings.resolve(values)
        let scheduler = settings.scheduler
        #expect(scheduler.retryPolicy(for: .webhook) == RetryPolicy(base: .milliseconds(250), cap: .seconds(300)))
        #expect(scheduler.retryPolicy(for: .sms) == RetryPolicy(base: .seconds(2), cap: .seconds(3600)))
        #expect(scheduler.retryPolicy(for: .email) == RetryPolicy(base: .seconds(2), cap: .seconds(300)))
        #expect(scheduler.organizationLimits == ChannelLimits(maxInFlight: 20, ratePerSecond: 0.5, burst: 1000))
        // The admin service explains "why is it waiting" with the limits the schedulers apply.
        #expect(settings.admin.tenantDefaults == scheduler.organizationLimits)

        let bad = try ConfigValues(
            keys: LeadflowSettings.keys, overrides: ["tenant.rate_per_second": "-3", "scheduler.email.retry_cap": "1ms"])
        let error = try #require(throws: ConfigError.self) { try LeadflowSettings.resolve(bad) }
        #expect(error.description.contains("--set tenant.rate_per_second: \"-3\" is not a positive number"))
        #expect(error.description.contains("email: retry cap (0.001 seconds) cannot be shorter than the retry base"))
    }

    @Test("--set beats the environment, which beats the file")
    func precedence() throws {
        let file = try ConfigFile.parse(
            """
            scheduler:
              claim_batch: 100
              lease: 2m
            ingest:
              max_batch: 64
            handler:
              webhook:
                scheduler_endpoints: [tcp://10.0.0.1:4232, tcp://10.0.0.2:4232]
            """, file: "leadflow.yaml")
        let values = try ConfigValues(
            keys: LeadflowSettings.keys, overrides: ["scheduler.claim_batch": "300"],
            environment: ["LEADFLOW_SCHEDULER_CLAIM_BATCH": "200", "LEADFLOW_INGEST_MAX_BATCH": "128"],
            file: file, fileName: "leadflow.yaml")
        let settings = try LeadflowSettings.resolve(values)
        #expect(settings.scheduler.claimBatch == 300)
        #expect(settings.ingest.maxBatch == 128)
        #expect(settings.scheduler.lease == .seconds(120))
        #expect(settings.handlers[.webhook]?.dispatchEndpoints == ["tcp://10.0.0.1:4232", "tcp://10.0.0.2:4232"])
    }

    @Test("every problem is reported at once, naming where the value came from")
    func problems() throws {
        let values = try ConfigValues(
            keys: LeadflowSettings.keys,
            overrides: ["scheduler.claim_batch": "lots", "handler.sms.driver": "smtp"],
            environment: ["LEADFLOW_SCHEDULER_LEASE": "5 minutes"])
        let error = try #require(throws: ConfigError.self) { try LeadflowSettings.resolve(values) }
        let text = error.description
        #expect(text.contains("--set scheduler.claim_batch: \"lots\" is not a whole number"))
        #expect(text.contains("LEADFLOW_SCHEDULER_LEASE: malformed duration"))
        #expect(text.contains("handler.sms.driver: \"smtp\" is not one of log, http"))
    }

    @Test("an unknown key is an error with a did-you-mean hint")
    func unknownKey() throws {
        let error = try #require(throws: ConfigError.self) {
            try ConfigValues(keys: LeadflowSettings.keys, file: ["scheduler.claim_bacth": "5"], fileName: "leadflow.yaml")
        }
        #expect(error.description == "leadflow.yaml: unknown setting scheduler.claim_bacth (did you mean \"scheduler.claim_batch\"?)")
    }

    @Test("durations take s/m/h/d and milliseconds", arguments: [("250ms", Duration.milliseconds(250)), ("90s", .seconds(90)), ("1h30m", .seconds(5400))])
    func durations(text: String, expected: Duration) throws {
        var values = try ConfigValues(keys: LeadflowSettings.keys, overrides: ["scheduler.lease": text])
        #expect(values.duration("scheduler.lease") == expected)
        #expect(values.problems.isEmpty)
    }

    @Test("a file that is not YAML, or has a list where a value belongs, is reported with its name")
    func badFile() throws {
        let error = try #require(throws: ConfigError.self) { try ConfigFile.parse("scheduler: [unclosed", file: "bad.yaml") }
        #expect(error.description.hasPrefix("bad.yaml:2:1: not valid YAML"))
    }

    @Test("a YAML error is located by line and column and never quotes the line, which may hold a password")
    func yamlErrorWithoutTheLine() throws {
        let text = "handler:\n  email:\n    password: hunter2-secret: x\n"
        let error = try #require(throws: ConfigError.self) { try ConfigFile.parse(text, file: "leadflow.yaml") }
        #expect(error.description.hasPrefix("leadflow.yaml:3:"), "\(error)")
        #expect(!error.description.contains("hunter2"), "\(error)")
    }

    @Test("handlers hear opt-outs on ingest's events endpoint by default, unless it is a wildcard bind")
    func eventEndpoints() throws {
        let defaults = try LeadflowSettings.resolve(ConfigValues(keys: LeadflowSettings.keys))
        #expect(defaults.handlers[.sms]?.eventEndpoints == ["tcp://127.0.0.1:4223"])
        let wildcard = try LeadflowSettings.resolve(
            ConfigValues(keys: LeadflowSettings.keys, overrides: ["ingest.events_endpoint": "tcp://*:4223"]))
        #expect(wildcard.handlers[.sms]?.eventEndpoints == [])
        let named = try LeadflowSettings.resolve(
            ConfigValues(
                keys: LeadflowSettings.keys,
                overrides: ["ingest.events_endpoint": "tcp://*:4223", "handler.sms.event_endpoints": "tcp://ingest-a:4223"]))
        #expect(named.handlers[.sms]?.eventEndpoints == ["tcp://ingest-a:4223"])
    }

    @Test("credentials are Secrets: the resolved settings print none of them")
    func credentialsAreSecrets() throws {
        let values = try ConfigValues(
            keys: LeadflowSettings.keys,
            overrides: [
                "database.url": "postgres://app:db-pass-1@db/leadflow", "handler.email.password": "smtp-pass-2",
                "handler.email.token": "api-token-3", "handler.webhook.secret": "signing-4",
            ])
        let settings = try LeadflowSettings.resolve(values)
        #expect(settings.databaseURL?.revealed == "postgres://app:db-pass-1@db/leadflow")
        #expect(settings.handlers[.email]?.secrets["password"]?.revealed == "smtp-pass-2")
        #expect(settings.handlers[.email]?.options["password"] == nil)
        var dump = ""
        Swift.dump(settings, to: &dump)
        let printed = dump + "\(settings)" + String(reflecting: settings)
        for secret in ["db-pass-1", "smtp-pass-2", "api-token-3", "signing-4"] {
            #expect(!printed.contains(secret), "\(secret) printed")
        }
        #expect(printed.contains("<redacted>"))
    }

    @Test("each handler type has a circuit breaker with the policy's defaults, configurable under breaker.*")
    func breakerSettings() throws {
        let defaults = try LeadflowSettings.resolve(ConfigValues(keys: LeadflowSettings.keys))
        #expect(defaults.handlers[.email]?.breaker == CircuitBreakerPolicy())
        let values = try ConfigValues(
            keys: LeadflowSettings.keys,
            overrides: [
                "handler.webhook.breaker.consecutive_failures": "3", "handler.webhook.breaker.failure_rate": "0.25",
                "handler.webhook.breaker.open_duration": "90s", "handler.sms.breaker.enabled": "false",
            ],
            environment: ["LEADFLOW_HANDLER_WEBHOOK_BREAKER_HALF_OPEN_PROBES": "2"])
        let settings = try LeadflowSettings.resolve(values)
        let webhook = try #require(settings.handlers[.webhook]?.breaker)
        #expect(webhook.consecutiveFailures == 3)
        #expect(webhook.failureRate == 0.25)
        #expect(webhook.openDuration == .seconds(90))
        #expect(webhook.halfOpenProbes == 2)
        #expect(webhook.minimumRequests == 20)
        #expect(settings.handlers[.sms]?.breaker == nil)
        #expect(settings.handlers[.email]?.breaker == CircuitBreakerPolicy())
    }

    @Test("bad breaker settings are reported by key")
    func badBreakerSettings() throws {
        let values = try ConfigValues(
            keys: LeadflowSettings.keys,
            overrides: [
                "handler.email.breaker.failure_rate": "half", "handler.sms.breaker.failure_rate": "1.5",
                "handler.webhook.breaker.half_open_probes": "0", "handler.webhook.breaker.consecutive_failures": "-1",
            ])
        let text = try #require(throws: ConfigError.self) { try LeadflowSettings.resolve(values) }.description
        #expect(text.contains("--set handler.email.breaker.failure_rate: \"half\" is not a positive number"))
        #expect(text.contains("handler.sms.breaker.failure_rate: must be above 0 and at most 1, e.g. 0.5 (got 1.5)"))
        #expect(text.contains("--set handler.webhook.breaker.half_open_probes: 0 is out of range 1…10000"))
        #expect(text.contains("--set handler.webhook.breaker.consecutive_failures: -1 is out of range 0…1000000"))
    }

    @Test("breaker.consecutive_failures 0 leaves only the failure rate to open a breaker")
    func rateOnlyBreaker() throws {
        let values = try ConfigValues(
            keys: LeadflowSettings.keys, overrides: ["handler.webhook.breaker.consecutive_failures": "0"])
        let webhook = try #require(try LeadflowSettings.resolve(values).handlers[.webhook]?.breaker)
        #expect(webhook.consecutiveFailures == 0)
        #expect(webhook.failureRate == 0.5)
    }

    @Test("collector settings: defaults, telemetry's gauge interval, and every bad value reported")
    func collectorSettings() throws {
        let settings = try LeadflowSettings.resolve(
            ConfigValues(
                keys: LeadflowSettings.keys,
                overrides: [
                    "collector.alertmanager": "http://am-1:9093, http://am-2:9093", "telemetry.gauge_interval": "2s",
                    "collector.window": "30s",
                ]))
        #expect(settings.collector.metricsEndpoint == settings.telemetry.endpoint)
        #expect(settings.collector.httpAddress == "127.0.0.1:9470")
        #expect(settings.collector.alertmanagerURLs == ["http://am-1:9093", "http://am-2:9093"])
        #expect(settings.collector.store.gaugeInterval == 2)
        #expect(settings.collector.store.window == 30)

        let values = try ConfigValues(
            keys: LeadflowSettings.keys,
            overrides: [
                "collector.http": "localhost:9470", "collector.alertmanager": "ftp://am:9093",
                "collector.evaluate_interval": "1ms", "collector.window_slots": "0",
            ])
        let text = try #require(throws: ConfigError.self) { try LeadflowSettings.resolve(values) }.description
        #expect(text.contains("collector.http must be an IPv4 address and a port"), "\(text)")
        #expect(text.contains("collector.alertmanager URLs must start with http:// or https:// (got \"ftp://am:9093\")"))
        #expect(text.contains("collector.evaluate_interval must be 10ms…1h"))
        #expect(text.contains("--set collector.window_slots: 0 is out of range 1…3600"))
    }
}
