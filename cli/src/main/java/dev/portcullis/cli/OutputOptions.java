package dev.portcullis.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --output} option, mixed into every command that prints something a script would read.
 * JSON output is one JSON document, or one JSON object per line for streams, on standard output;
 * progress and diagnostics go to standard error so they never corrupt it.
 */
public final class OutputOptions {

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            converter = OutputFormatConverter.class,
            description = "Output format: table or json (default: ${DEFAULT-VALUE}).")
    private OutputFormat format = OutputFormat.TABLE;

    public OutputFormat format() {
        return format;
    }

    public boolean json() {
        return format == OutputFormat.JSON;
    }

    /** Accepts the format names in any case, and says which names exist when given another. */
    static final class OutputFormatConverter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            for (OutputFormat format : OutputFormat.values()) {
                if (format.name().equalsIgnoreCase(value)) {
                    return format;
                }
            }
            throw new picocli.CommandLine.TypeConversionException(
                    "'" + value + "' is not an output format; use table or json");
        }
    }
}
