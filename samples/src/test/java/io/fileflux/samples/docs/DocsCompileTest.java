package io.fileflux.samples.docs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and the docs compile: every ```java block of {@code README.md} and {@code docs/*.md} is
 * compiled, with {@code --release 17}, against the modules of this build (this module's test classpath:
 * fileflux-core, -reactor, -spring, Reactor, reactor-test, Spring WebFlux).
 *
 * <p>How a block becomes a compilation unit:
 * <ul>
 *   <li><b>A block that starts with {@code import} lines is complete</b> (the README's "Use it from
 *       Java"): it is compiled with exactly its own imports, as the body of
 *       {@code void run() throws Exception} in a class of its own, and may use only what it declares. A
 *       reader can paste it into a method as it is.</li>
 *   <li><b>A block without imports is an excerpt</b> (most of docs/): it gets the imports every
 *       excerpt may assume (see {@link #EXCERPT_IMPORTS}: the JDK's {@code java.nio}, {@code java.nio.file},
 *       {@code java.util} and {@code java.time}, Reactor, reactor-test, Spring's buffers and HTTP types,
 *       and every public Fileflux package) and is compiled as the body of
 *       {@code void run() throws Exception} in a subclass of {@link DocsExcerpt}, whose fields and methods
 *       stand for the reader's own values ({@code path}, {@code buffers}, {@code response},
 *       {@code consume(buffer)}, ...).</li>
 *   <li>A block (after its imports) that starts with a declaration ({@code class}, {@code record},
 *       {@code interface}, {@code enum}, an annotation or a modifier) is compiled as members of that
 *       class instead of a method body.</li>
 *   <li>A block that must not be compiled (pseudo-code) is fenced as {@code ```text}, not {@code ```java}.</li>
 * </ul>
 * Errors are reported as {@code FILE.md:LINE: message}, the line of the Markdown file.
 */
class DocsCompileTest {

    /** What an excerpt may use without importing it. */
    static final List<String> EXCERPT_IMPORTS = List.of(
            "java.io.*", "java.nio.*", "java.nio.charset.*", "java.nio.file.*", "java.time.*", "java.util.*",
            "java.util.concurrent.*", "java.util.function.*",
            "org.reactivestreams.*",
            "reactor.core.publisher.*", "reactor.core.scheduler.*", "reactor.test.*",
            "org.springframework.core.io.buffer.*", "org.springframework.http.*",
            "org.springframework.http.server.reactive.*",
            "io.fileflux.core.*", "io.fileflux.reactor.*", "io.fileflux.reactor.lines.*",
            "io.fileflux.reactor.tail.*", "io.fileflux.reactor.tail.many.*", "io.fileflux.spring.*");

    record Block(String file, int firstLine, List<String> lines) {

        /** The class name of the block: README_md_3. */
        String className(int index) {
            return file.replaceAll("^docs/", "").replaceAll("[^A-Za-z0-9]", "_") + "_" + index;
        }
    }

    /**
     * A generated compilation unit and where its lines come from: the block's {@code imports} import lines
     * are at line 2 of {@link #source}, the rest of the block from {@code bodyLine} on.
     */
    record Unit(Block block, String className, String source, int imports, int bodyLine) {

        /** The Markdown line of a line of {@link #source}, or -1 for a line of the wrapper. */
        long markdownLine(long sourceLine) {
            if (sourceLine >= 2 && sourceLine < 2 + imports) {
                return block.firstLine() + sourceLine - 2;
            }
            long inBody = sourceLine - bodyLine;
            return inBody >= 0 && inBody < block.lines().size() - imports ? block.firstLine() + imports + inBody : -1;
        }
    }

    @Test
    void everyJavaBlockOfTheReadmeAndTheDocsCompiles(@TempDir Path out) throws IOException {
        Path root = projectRoot();
        List<Path> markdown = new ArrayList<>();
        markdown.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(markdown::add);
        }

        List<Unit> units = new ArrayList<>();
        for (Path md : markdown) {
            List<Block> blocks = javaBlocks(root.relativize(md).toString(), Files.readAllLines(md, StandardCharsets.UTF_8));
            for (int i = 0; i < blocks.size(); i++) {
                units.add(unit(blocks.get(i), blocks.get(i).className(i + 1)));
            }
        }
        assertTrue(units.stream().anyMatch(u -> u.block().file().equals("README.md")), "no java block found in README.md");
        assertTrue(units.size() >= 10, "only " + units.size() + " java blocks found: is the extraction broken?");

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertFalse(compiler == null, "no system Java compiler: run the tests on a JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> sources = new ArrayList<>();
        for (Unit unit : units) {
            sources.add(new Source(unit));
        }
        List<String> options = List.of("--release", "17", "-proc:none", "-Xlint:none",
                "-classpath", System.getProperty("java.class.path"), "-d", out.toString());
        StringWriter compilerOutput = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            ok = compiler.getTask(compilerOutput, files, diagnostics, options, null, sources).call();
        }

        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            if (d.getSource() instanceof Source source) {
                Unit unit = source.unit;
                long line = unit.markdownLine(d.getLineNumber());
                errors.add(unit.block().file() + ":" + (line >= 0 ? line : unit.block().firstLine())
                        + ": " + d.getMessage(Locale.ROOT)
                        + (line >= 0 ? "" : "\n    (in the generated wrapper " + unit.className() + ":\n" + unit.source() + ")"));
            } else {
                errors.add(d.toString());
            }
        }
        if (!ok || !errors.isEmpty()) {
            fail(errors.size() + " error(s) compiling the java blocks of the README and docs/:\n"
                    + String.join("\n", errors) + "\n" + compilerOutput);
        }
    }

    /** The ```java blocks of one Markdown file, each with the line number of its first line. */
    static List<Block> javaBlocks(String file, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        List<String> current = null;
        int first = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (current == null) {
                if (trimmed.equals("```java")) {
                    current = new ArrayList<>();
                    first = i + 2;   // 1-based, the line after the fence
                }
            } else if (trimmed.startsWith("```")) {
                blocks.add(new Block(file, first, current));
                current = null;
            } else {
                current.add(line);
            }
        }
        if (current != null) {
            throw new AssertionError(file + ":" + (first - 1) + ": a ```java block is never closed");
        }
        return blocks;
    }

    /** Wraps a block into a compilation unit, as described on the class. */
    static Unit unit(Block block, String className) {
        List<String> lines = block.lines();
        int importEnd = 0;   // the block's leading import lines (and blank lines among them)
        boolean hasImports = false;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.startsWith("import ")) {
                hasImports = true;
                importEnd = i + 1;
            } else if (!t.isEmpty()) {
                break;
            }
        }
        List<String> body = lines.subList(importEnd, lines.size());
        String firstCode = body.stream().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("//"))
                .findFirst().orElse("");
        boolean declarations = firstCode.matches(
                "(@\\w+.*|(public|protected|private|static|final|abstract|sealed)\\s.*|(class|record|interface|enum)\\s.*)");

        StringBuilder src = new StringBuilder();
        int line = 1;
        src.append("package io.fileflux.samples.docs.generated;\n");
        line++;
        if (hasImports) {
            // the block's own imports, at their own lines so that errors in them map back too
            for (String l : lines.subList(0, importEnd)) {
                src.append(l).append('\n');
            }
            line += importEnd;
        } else {
            for (String i : EXCERPT_IMPORTS) {
                src.append("import ").append(i).append(";\n");
                line++;
            }
        }
        src.append("@SuppressWarnings(\"all\")\n");
        line++;
        src.append("class ").append(className)
                .append(hasImports ? "" : " extends io.fileflux.samples.docs.DocsExcerpt").append(" {\n");
        line++;
        if (!declarations) {
            src.append("void run() throws Exception {\n");
            line++;
        }
        int bodyLine = line;
        for (String l : body) {
            src.append(l).append('\n');
        }
        src.append(declarations ? "}\n" : "}\n}\n");
        return new Unit(block, className, src.toString(), hasImports ? importEnd : 0, bodyLine);
    }

    static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("README.md not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static final class Source extends SimpleJavaFileObject {
        final Unit unit;

        Source(Unit unit) {
            super(URI.create("string:///io/fileflux/samples/docs/generated/" + unit.className() + ".java"), Kind.SOURCE);
            this.unit = unit;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return unit.source();
        }
    }
}
