package dev.sdfleet.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Product code never depends on scaffolding: in every product module's pom, a test-fixtures jar ({@code test-jar})
 * is a test-scope dependency, and nothing depends on the bench module. Only the bench (scaffolding itself) may take
 * fixtures at compile scope.
 */
class FixturesStayInTestsTest {
    /** Modules whose main code ships: protocol, pipeline, service, devstack, worker, dispatcher, client, cli. */
    static final Set<String> PRODUCT_MODULES =
            Set.of("protocol", "pipeline", "service", "devstack", "worker", "dispatcher", "client", "cli");

    @Test
    void productModulesTakeTestFixturesInTestScopeOnly() throws Exception {
        List<String> offences = new ArrayList<>();
        for (String module : PRODUCT_MODULES) {
            for (Element dependency : dependencies(module)) {
                String artifact = text(dependency, "artifactId");
                String type = text(dependency, "type");
                String scope = text(dependency, "scope");
                if ("test-jar".equals(type) && !"test".equals(scope)) {
                    offences.add(module + " -> " + artifact + " (test-jar in scope " + scope + ")");
                }
                if ("sdfleet-bench".equals(artifact)) {
                    offences.add(module + " -> sdfleet-bench");
                }
            }
        }
        assertEquals(List.of(), offences);
    }

    @Test
    void everyProductModuleIsChecked() throws Exception {
        for (String module : PRODUCT_MODULES) {
            assertTrue(Files.isRegularFile(root().resolve(module).resolve("pom.xml")), module);
            assertTrue(!dependencies(module).isEmpty(), module + "'s pom read no dependency");
        }
    }

    private static List<Element> dependencies(String module) throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(root().resolve(module).resolve("pom.xml").toFile());
        List<Element> found = new ArrayList<>();
        NodeList nodes = pom.getElementsByTagName("dependency");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element dependency = (Element) nodes.item(i);
            // Only the module's own dependencies, not those of a plugin's configuration.
            if (dependency.getParentNode().getParentNode() == pom.getDocumentElement()) {
                found.add(dependency);
            }
        }
        return found;
    }

    private static String text(Element parent, String child) {
        NodeList nodes = parent.getElementsByTagName(child);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    private static Path root() {
        String root = System.getProperty("sdfleet.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }
}
