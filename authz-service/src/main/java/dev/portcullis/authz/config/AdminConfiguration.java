package dev.portcullis.authz.config;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.authz.admin.AdminRequests;
import tools.jackson.databind.json.JsonMapper;

/** What every admin and field endpoint shares: the caller as an audit actor, {@code admin.action} records, JSON out. */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

    @Bean
    AdminRequests adminRequests(AuditLog audit, Clock clock, JsonMapper json) {
        return new AdminRequests(audit, clock, json);
    }
}
