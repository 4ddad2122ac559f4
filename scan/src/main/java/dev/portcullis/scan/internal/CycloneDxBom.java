package dev.portcullis.scan.internal;

import java.nio.file.Path;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Checks that the SBOM is a CycloneDX JSON document and counts its components. */
public final class CycloneDxBom {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private CycloneDxBom() {
    }

    public static int countComponents(Path bom) throws ScanException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bom.toFile());
        } catch (JacksonException e) {
            throw new ScanException(ScanError.REPORT_MALFORMED, "SBOM " + bom + " is not JSON: " + e.getOriginalMessage());
        }
        if (!"CycloneDX".equals(root.path("bomFormat").asString("")) || !root.path("specVersion").isString()) {
            throw new ScanException(ScanError.REPORT_MALFORMED, "SBOM " + bom + " is not a CycloneDX document");
        }
        JsonNode components = root.path("components");
        return components.isArray() ? components.size() : 0;
    }
}
