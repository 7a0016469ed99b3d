import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks the release artifacts that `mvn -B -Prelease -DskipTests package` built (run by
 * .ci/check-artifacts.sh, which first writes the reactor's effective POM):
 * <ul>
 *   <li>every library jar (core, reactor, spring, spring-webflux, spring-boot-starter, micrometer, kafka) exists, has its Automatic-Module-Name and Java 17
 *       bytecode, and has a sources jar with its .java files and a Javadoc jar with an index.html;</li>
 *   <li>the effective POM of every published project (parent, bom, and each library) has the metadata
 *       Maven Central requires: name, description, url, a license with name and url, scm connection and
 *       url, a developer with a name; the url is the project's, not one with the artifactId appended;</li>
 *   <li>the BOM has no parent and manages exactly the library artifacts at the project's version;</li>
 *   <li>samples and benchmarks are kept out of deployment and of the Central bundle.</li>
 * </ul>
 * Usage: java .ci/CheckArtifacts.java ROOT EFFECTIVE_POM_XML
 */
public class CheckArtifacts {

    record Library(String dir, String artifactId, String moduleName) {}

    static final List<Library> LIBRARIES = List.of(
            new Library("core", "fileflux-core", "io.fileflux.core"),
            new Library("reactor-adapter", "fileflux-reactor", "io.fileflux.reactor"),
            new Library("spring-adapter", "fileflux-spring", "io.fileflux.spring"),
            new Library("spring-webflux", "fileflux-spring-webflux", "io.fileflux.spring.webflux"),
            new Library("spring-boot-starter", "fileflux-spring-boot-starter", "io.fileflux.spring.boot"),
            new Library("micrometer", "fileflux-micrometer", "io.fileflux.micrometer"),
            new Library("kafka", "fileflux-kafka", "io.fileflux.kafka"));
    static final List<String> PUBLISHED = List.of("fileflux-parent", "fileflux-bom", "fileflux-core",
            "fileflux-reactor", "fileflux-spring", "fileflux-spring-webflux", "fileflux-spring-boot-starter",
            "fileflux-micrometer", "fileflux-kafka");
    static final List<String> NEVER_PUBLISHED = List.of("fileflux-samples", "fileflux-benchmarks");

    static final List<String> failures = new ArrayList<>();
    static int passed;

    static void check(boolean ok, String what) {
        if (ok) {
            passed++;
        } else {
            failures.add(what);
            System.out.println("FAILED: " + what);
        }
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Element poms = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of(args[1]).toFile()).getDocumentElement();
        Map<String, Element> projects = new java.util.HashMap<>();
        for (Element p : children(poms, "project").isEmpty() ? List.of(poms) : children(poms, "project")) {
            projects.put(text(p, "artifactId"), p);
        }
        String version = text(projects.get("fileflux-parent"), "version");
        String url = text(projects.get("fileflux-parent"), "url");

        for (String id : PUBLISHED) {
            Element p = projects.get(id);
            check(p != null, id + ": in the effective POM");
            if (p == null) {
                continue;
            }
            for (String field : List.of("name", "description", "url")) {
                check(!text(p, field).isBlank(), id + ": <" + field + ">");
            }
            check(text(p, "url").equals(url), id + ": <url> is the project's (" + url + "), was " + text(p, "url"));
            Element license = first(first(p, "licenses"), "license");
            check(license != null && !text(license, "name").isBlank() && !text(license, "url").isBlank(),
                    id + ": <licenses><license> with name and url");
            check(license != null && text(license, "name").contains("Apache"), id + ": the Apache license");
            Element scm = first(p, "scm");
            check(scm != null && !text(scm, "connection").isBlank() && text(scm, "url").equals(url),
                    id + ": <scm> with connection and the project's url");
            Element developer = first(first(p, "developers"), "developer");
            check(developer != null && !text(developer, "name").isBlank(), id + ": <developers><developer><name>");
            check(text(p, "version").equals(version), id + ": version " + version);
        }

        Element bom = projects.get("fileflux-bom");
        if (bom != null) {
            List<String> managed = new ArrayList<>();
            for (Element d : children(first(first(bom, "dependencyManagement"), "dependencies"), "dependency")) {
                managed.add(text(d, "groupId") + ":" + text(d, "artifactId") + ":" + text(d, "version"));
            }
            List<String> expected = new ArrayList<>();
            for (Library l : LIBRARIES) {
                expected.add("io.fileflux:" + l.artifactId() + ":" + version);
            }
            Collections.sort(managed);
            Collections.sort(expected);
            check(managed.equals(expected), "fileflux-bom manages exactly " + expected + ", was " + managed);
            String rawBom = Files.readString(root.resolve("bom/pom.xml"));
            check(!rawBom.contains("<parent>"), "fileflux-bom has no parent (its importers would get the parent's dependencyManagement)");
        }

        for (String id : NEVER_PUBLISHED) {
            Element p = projects.get(id);
            check(p != null && "true".equals(text(first(p, "properties"), "maven.deploy.skip")),
                    id + ": maven.deploy.skip");
        }
        String parentPom = Files.readString(root.resolve("pom.xml"));
        for (String id : NEVER_PUBLISHED) {
            check(parentPom.contains("<artifact>" + id + "</artifact>"), id + ": in central-publishing's excludeArtifacts");
        }

        for (Library l : LIBRARIES) {
            Path target = root.resolve(l.dir()).resolve("target");
            Path jar = target.resolve(l.artifactId() + "-" + version + ".jar");
            check(Files.isRegularFile(jar), l.artifactId() + ": " + jar + " built");
            if (Files.isRegularFile(jar)) {
                try (JarFile j = new JarFile(jar.toFile())) {
                    String name = j.getManifest() == null ? null
                            : j.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                    check(l.moduleName().equals(name), l.artifactId() + ": Automatic-Module-Name " + l.moduleName() + ", was " + name);
                    check(j.getEntry("module-info.class") == null, l.artifactId() + ": no module-info.class next to the automatic name");
                    int classes = 0;
                    int java17 = 0;
                    for (JarEntry e : Collections.list(j.entries())) {
                        if (e.getName().endsWith(".class")) {
                            classes++;
                            if (major(j, e) == 61) {
                                java17++;
                            }
                        }
                    }
                    check(classes > 0 && classes == java17, l.artifactId() + ": Java 17 bytecode (major 61) in "
                            + java17 + " of " + classes + " classes");
                }
            }
            Path sources = target.resolve(l.artifactId() + "-" + version + "-sources.jar");
            check(contains(sources, ".java"), l.artifactId() + ": " + sources.getFileName() + " with .java files");
            Path javadoc = target.resolve(l.artifactId() + "-" + version + "-javadoc.jar");
            check(contains(javadoc, "index.html"), l.artifactId() + ": " + javadoc.getFileName() + " with index.html");
        }
        check(Files.readString(root.resolve("LICENSE")).contains("Apache License") , "LICENSE: the Apache License");

        System.out.println("artifacts and POM metadata: " + passed + " passed, " + failures.size() + " failed");
        if (!failures.isEmpty()) {
            System.exit(1);
        }
    }

    static int major(JarFile j, JarEntry e) throws IOException {
        try (InputStream in = j.getInputStream(e)) {
            byte[] head = in.readNBytes(8);
            return head.length == 8 ? ((head[6] & 0xff) << 8) | (head[7] & 0xff) : -1;
        }
    }

    static boolean contains(Path jar, String suffix) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            return Collections.list(j.entries()).stream().anyMatch(e -> e.getName().endsWith(suffix));
        }
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    static Element first(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    static String text(Element parent, String name) {
        Element e = first(parent, name);
        return e == null ? "" : e.getTextContent().strip();
    }
}
