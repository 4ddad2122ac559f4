package dev.portcullis.cli.fields;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;

import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.fields.FieldReport;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/** How the fields commands print: the document as is, or one JSON object with the document embedded unchanged. */
final class FieldsOutput {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FieldsOutput() {
    }

    /** {"document": <the document, bytes unchanged>, ...members written by {@code rest}}. */
    static byte[] json(byte[] document, Consumer<JsonGenerator> rest) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(document.length + 512);
        try (JsonGenerator g = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeName("document");
            g.writeRawValue(new String(document, java.nio.charset.StandardCharsets.UTF_8));
            rest.accept(g);
            g.writeEndObject();
        }
        buffer.write('\n');
        return buffer.toByteArray();
    }

    static void fields(JsonGenerator g, List<FieldReport> fields) {
        g.writeArrayPropertyStart("fields");
        for (FieldReport f : fields) {
            g.writeStartObject();
            g.writeStringProperty("path", f.path());
            g.writeStringProperty("class", f.dataClass());
            g.writeStringProperty("mode", f.mode().wireName());
            g.writeStringProperty("status", f.status().name().toLowerCase());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Writes {@code body} to {@code out} atomically (temp file, rename), or to standard output. */
    static void write(CommandSpec spec, Path out, byte[] body) {
        if (out == null) {
            java.io.PrintWriter stdout = spec.commandLine().getOut();
            stdout.print(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            stdout.flush();
            return;
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            Files.write(tmp, body);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CouldNotRunException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }
}
