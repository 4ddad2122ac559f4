package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;

class ProjectDependencyCheckSettingsTest {

    @TempDir
    Path project;

    private void pom(String relative, String body) throws Exception {
        Path file = project.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>a</artifactId>"
                + "<version>1</version>" + body + "</project>");
    }

    private static String plugin(String configuration) {
        return "<plugin><groupId>org.owasp</groupId><artifactId>dependency-check-maven</artifactId>" + configuration + "</plugin>";
    }

    private void refused(String... named) {
        assertThatThrownBy(() -> ProjectDependencyCheckSettings.refuseHidingSettings(project))
                .isInstanceOfSatisfying(ScanException.class, e -> {
                    assertThat(e.error()).isEqualTo(ScanError.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("--suppressions file").contains(named);
                });
    }

    @Test
    void aSuppressionFileInThePluginsConfigurationIsRefusedNamingThePomAndTheSetting() throws Exception {
        pom("pom.xml", "<build><plugins>" + plugin("<configuration><suppressionFiles><suppressionFile>dc.xml</suppressionFile>"
                + "</suppressionFiles></configuration>") + "</plugins></build>");
        refused("pom.xml (dependency-check-maven <suppressionFiles>)");
    }

    @Test
    void settingsInAnExecutionInPluginManagementInAModuleOrAsPropertiesCountToo() throws Exception {
        pom("pom.xml", "<properties><suppressionFile>dc.xml</suppressionFile></properties>");
        pom("service/pom.xml", "<build><pluginManagement><plugins>" + plugin("<executions><execution><configuration>"
                + "<skipRuntimeScope>true</skipRuntimeScope></configuration></execution></executions>")
                + "</plugins></pluginManagement></build>");
        pom("lib/pom.xml", "<profiles><profile><id>x</id><properties><dependency-check.skip>true</dependency-check.skip>"
                + "</properties></profile></profiles>");
        refused("pom.xml (property <suppressionFile>)", "dependency-check-maven <skipRuntimeScope>",
                "(property <dependency-check.skip>)");
    }

    @Test
    void harmlessSettingsAndOtherPluginsAreLeftAlone() throws Exception {
        pom("pom.xml", "<properties><skipTestScope>true</skipTestScope><dependency-check.skip>false</dependency-check.skip>"
                + "</properties><build><plugins>" + plugin("<configuration><ossIndexAnalyzerEnabled>false</ossIndexAnalyzerEnabled>"
                + "<skipTestScope>true</skipTestScope><skipProvidedScope>false</skipProvidedScope><formats>JSON</formats>"
                + "</configuration>") + "<plugin><artifactId>maven-surefire-plugin</artifactId><configuration>"
                + "<excludes><exclude>x</exclude></excludes><skip>true</skip></configuration></plugin></plugins></build>");
        pom("target/pom.xml", "<properties><suppressionFile>built-copy.xml</suppressionFile></properties>");

        assertThatCode(() -> ProjectDependencyCheckSettings.refuseHidingSettings(project)).doesNotThrowAnyException();
    }

    @Test
    void aPomWithADoctypeIsNotExpandedAndLeftToMavenToRefuse() throws Exception {
        Files.writeString(project.resolve("pom.xml"), "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<project><properties><suppressionFile>&x;</suppressionFile></properties></project>");

        assertThatCode(() -> ProjectDependencyCheckSettings.refuseHidingSettings(project)).doesNotThrowAnyException();
    }
}
