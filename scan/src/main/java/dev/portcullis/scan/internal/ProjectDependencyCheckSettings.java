package dev.portcullis.scan.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;

/**
 * Settings in the scanned project's own POMs that make Dependency-Check leave findings out without
 * a trace the stage could see. Dependency-Check runs inside the project's Maven build, so the
 * project's plugin configuration (and POM properties of the same names) apply to it, and a
 * command-line property cannot override a value the POM sets. A suppression rule marked
 * {@code base="true"} leaves nothing in the report, nor does a scope that is skipped; so the stage
 * refuses to run (could not run, exit 2) rather than pass a gate over findings it was never shown.
 * Accepted risks belong in the stage's own suppressions file, with an owner and an expiry.
 *
 * <p>Only the POMs inside the project folder are read; a parent POM from a repository is not.
 */
final class ProjectDependencyCheckSettings {

    /** Parameters whose mere presence can hide findings: suppression files and excluded files. */
    private static final Set<String> ANY_VALUE = Set.of("suppressionFile", "suppressionFiles", "excludes");
    /** Parameters that hide findings when true (skipTestScope is true by default, and test code does not ship). */
    private static final Set<String> WHEN_TRUE = Set.of("skip", "skipProvidedScope", "skipRuntimeScope", "skipSystemScope",
            "skipDependencyManagement");
    /** The POM properties of those parameters: the first two count with any value, the others when true. */
    private static final Set<String> PROPERTIES_ANY_VALUE = Set.of("suppressionFile", "suppressionFiles");
    private static final Set<String> PROPERTIES_WHEN_TRUE = Set.of("dependency-check.skip", "skipProvidedScope",
            "skipRuntimeScope", "skipSystemScope", "skipDependencyManagement");
    private static final Set<String> NOT_SOURCES = Set.of("target", ".git", "node_modules", ".mvn");
    private static final int MAX_DEPTH = 12;

    private ProjectDependencyCheckSettings() {
    }

    /** Refuses {@code project} when one of its POMs sets anything above; names each file and setting. */
    static void refuseHidingSettings(Path project) throws ScanException {
        List<String> found = new ArrayList<>();
        for (Path pom : poms(project)) {
            Document document = parse(pom);
            if (document == null) {
                continue; // not XML Maven could read either: the Maven run fails on it and says why
            }
            String name = project.relativize(pom).toString();
            found.addAll(pluginSettings(document, name));
            found.addAll(propertySettings(document, name));
        }
        if (!found.isEmpty()) {
            throw new ScanException(ScanError.INVALID_REQUEST, "the project configures Dependency-Check to leave findings"
                    + " out of its report, which this scan cannot see through: " + String.join("; ", found)
                    + ". Remove these settings and accept risks in the --suppressions file (owner, reason, expiry)");
        }
    }

    private static List<Path> poms(Path project) throws ScanException {
        try (Stream<Path> walk = Files.walk(project, MAX_DEPTH)) {
            return walk.filter(p -> p.getFileName().toString().equals("pom.xml") && Files.isRegularFile(p))
                    .filter(p -> {
                        for (Path part : project.relativize(p)) {
                            if (NOT_SOURCES.contains(part.toString())) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted()
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ScanException(ScanError.INVALID_REQUEST, "cannot list the POMs of " + project + ": " + e.getMessage(), e);
        }
    }

    private static List<String> pluginSettings(Document document, String pom) {
        List<String> found = new ArrayList<>();
        NodeList plugins = document.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if (!"dependency-check-maven".equals(childText(plugin, "artifactId"))) {
                continue;
            }
            NodeList all = plugin.getElementsByTagName("*");
            for (int j = 0; j < all.getLength(); j++) {
                Element e = (Element) all.item(j);
                if (!insideConfiguration(e, plugin)) {
                    continue;
                }
                String tag = e.getTagName();
                if (ANY_VALUE.contains(tag) || (WHEN_TRUE.contains(tag) && isTrue(e.getTextContent()))) {
                    found.add(pom + " (dependency-check-maven <" + tag + ">)");
                }
            }
        }
        return found;
    }

    private static List<String> propertySettings(Document document, String pom) {
        List<String> found = new ArrayList<>();
        NodeList properties = document.getElementsByTagName("properties");
        for (int i = 0; i < properties.getLength(); i++) {
            for (Node n = properties.item(i).getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && (PROPERTIES_ANY_VALUE.contains(e.getTagName())
                        || PROPERTIES_WHEN_TRUE.contains(e.getTagName()) && isTrue(e.getTextContent()))) {
                    found.add(pom + " (property <" + e.getTagName() + ">)");
                }
            }
        }
        return found;
    }

    /** Whether {@code e} is a parameter of a {@code <configuration>} of {@code plugin} (its own or an execution's). */
    private static boolean insideConfiguration(Element e, Element plugin) {
        Node parent = e.getParentNode();
        return parent instanceof Element p && p.getTagName().equals("configuration")
                && (p.getParentNode() == plugin || p.getParentNode() instanceof Element ex && ex.getTagName().equals("execution"));
    }

    private static String childText(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().strip();
            }
        }
        return null;
    }

    private static boolean isTrue(String value) {
        return value != null && value.strip().toLowerCase(Locale.ROOT).equals("true");
    }

    /** The POM as a DOM, with DTDs and external entities refused (a scanned project is untrusted input); null if it is not XML. */
    private static Document parse(Path pom) throws ScanException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.ErrorHandler() {
                // Quiet: the default handler prints every parse error to standard error.
                @Override
                public void warning(org.xml.sax.SAXParseException e) {
                }

                @Override
                public void error(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            try (InputStream in = Files.newInputStream(pom)) {
                return builder.parse(in);
            }
        } catch (SAXException e) {
            return null;
        } catch (ParserConfigurationException | IOException e) {
            throw new ScanException(ScanError.INVALID_REQUEST, "cannot read " + pom + ": " + e.getMessage(), e);
        }
    }
}
