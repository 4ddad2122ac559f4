package dev.portcullis.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.yaml.snakeyaml.Yaml;

import dev.portcullis.authz.adapter.http.CheckServlet;

/**
 * The checked-in OpenAPI document describes every HTTP endpoint the service maps, with every
 * method it accepts, and nothing it does not map.
 */
class OpenApiDocumentTest {

    private static final List<String> ALL_METHODS = List.of("get", "post", "put", "delete", "patch", "head", "options");

    @Test
    void everyMappedEndpointIsDocumentedAndNothingElse() throws Exception {
        Set<String> mapped = mappedOperations();
        Set<String> documented = documentedOperations();
        assertThat(mapped).as("the service maps at least the check endpoints").contains("post /v1/decisions");
        assertThat(documented).as("operations in openapi.yaml").containsAll(mapped);
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(mapped);
        // The document itself is a static resource, not a controller mapping.
        extra.remove("get /openapi.yaml");
        assertThat(extra).as("documented operations that the service does not map").isEmpty();
    }

    private static Set<String> mappedOperations() throws ClassNotFoundException {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        Set<String> operations = new TreeSet<>();
        for (BeanDefinition bean : scanner.findCandidateComponents("dev.portcullis.authz")) {
            Class<?> type = Class.forName(bean.getBeanClassName());
            RequestMapping base = AnnotatedElementUtils.findMergedAnnotation(type, RequestMapping.class);
            List<String> prefixes = base == null || base.path().length == 0 ? List.of("") : List.of(base.path());
            for (Method method : type.getDeclaredMethods()) {
                RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
                if (mapping == null) {
                    continue;
                }
                List<String> methods = new ArrayList<>();
                if (mapping.method().length == 0) {
                    methods.addAll(ALL_METHODS);
                } else {
                    for (RequestMethod m : mapping.method()) {
                        methods.add(m.name().toLowerCase(Locale.ROOT));
                    }
                }
                String[] paths = mapping.path().length == 0 ? new String[] {""} : mapping.path();
                for (String prefix : prefixes) {
                    for (String path : paths) {
                        for (String m : methods) {
                            operations.add(m + " " + openApiPath(prefix + path));
                        }
                    }
                }
            }
        }
        operations.addAll(checkServletOperations());
        return operations;
    }

    /**
     * The check endpoint is a servlet of its own, not a controller: every method at its path mapping
     * ({@code /v1/check/*}), which matches the prefix itself and every path below it.
     */
    private static Set<String> checkServletOperations() {
        assertThat(CheckServlet.MAPPING).endsWith("/*");
        String prefix = CheckServlet.MAPPING.substring(0, CheckServlet.MAPPING.length() - 2);
        Set<String> operations = new TreeSet<>();
        for (String m : ALL_METHODS) {
            operations.add(m + " " + prefix);
            operations.add(m + " " + prefix + "/{path}");
        }
        return operations;
    }

    /** Spring's {@code /**} tail is OpenAPI's {@code /{path}}. */
    private static String openApiPath(String springPath) {
        return springPath.endsWith("/**") ? springPath.substring(0, springPath.length() - 3) + "/{path}" : springPath;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> documentedOperations() throws Exception {
        Map<String, Object> document;
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/static/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the class path").isNotNull();
            document = new Yaml().load(in);
        }
        assertThat(document.get("openapi")).isEqualTo("3.1.0");
        Set<String> operations = new TreeSet<>();
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        paths.forEach((path, item) -> ((Map<String, Object>) item).keySet().stream()
                .filter(ALL_METHODS::contains)
                .forEach(method -> operations.add(method + " " + path)));
        return operations;
    }
}
