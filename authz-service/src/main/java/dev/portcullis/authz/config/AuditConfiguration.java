package dev.portcullis.authz.config;

import java.io.IOException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.authz.audit.FileAuditSink;

/** Wires the audit log every decision is recorded in before it is answered. */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    @Bean(destroyMethod = "close")
    FileAuditSink auditSink(PortcullisProperties properties) throws IOException {
        if (properties.audit().directory() == null) {
            throw new IllegalStateException("portcullis.audit.directory must be set: no decision is answered without an audit record");
        }
        return new FileAuditSink(properties.audit().directory().resolve("decisions.jsonl"), new AuditEventJson());
    }
}
