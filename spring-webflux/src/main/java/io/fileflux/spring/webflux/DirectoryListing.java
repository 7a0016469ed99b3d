package io.fileflux.spring.webflux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriUtils;

/**
 * A directory as a small HTML page: one row per entry (directories first), with size and date. Every link is
 * relative and names its entry as one percent-encoded path segment, so it works for any file name (spaces,
 * {@code %}, {@code #}, {@code ?}, a backslash, non-ASCII) and can never be read as a scheme or a host. An
 * entry that is a symbolic link leading out of the served root is listed by name only, without the size or
 * date of its target. Immutable and thread-safe; {@link #render} reads the directory (blocking I/O: call it
 * off the event loop).
 */
public final class DirectoryListing {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final String footerHtml;
    private final Function<String, String> fileAction;

    private record Entry(String name, boolean directory, boolean regular, long size, String modified,
                         boolean outside) {
    }

    /** A plain listing: no footer, no extra link per file. */
    public DirectoryListing() {
        this("", null);
    }

    /**
     * @param footerHtml HTML put at the end of the page (trusted, not escaped); empty for none
     * @param fileAction for each regular file inside the root, given the file's path on this server (each segment
     *                   percent-encoded, from {@code /}), the href of a second link on its row ("tail", for
     *                   example), or null for none; null for no such links
     */
    public DirectoryListing(String footerHtml, Function<String, String> fileAction) {
        this.footerHtml = Objects.requireNonNull(footerHtml, "footerHtml");
        this.fileAction = fileAction;
    }

    /**
     * The listing of {@code dir} as UTF-8 HTML.
     *
     * @param root        the served root (a real path): links out of it are listed without metadata
     * @param dir         the directory, inside the root
     * @param displayPath its path as the browser sees it (decoded, ends with {@code /})
     * @throws IOException if the directory cannot be read (for example {@link java.nio.file.AccessDeniedException})
     */
    public byte[] render(Path root, Path dir, String displayPath) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                if (Files.isSymbolicLink(p) && !SafePaths.staysInside(root, p)) {
                    // out of the root (or dangling): its name only, nothing about its target
                    entries.add(new Entry(name, false, false, -1, "", true));
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (IOException e) {
                    continue; // vanished meanwhile: not listed
                }
                entries.add(new Entry(name, a.isDirectory(), a.isRegularFile(), a.size(),
                        DATE.format(a.lastModifiedTime().toInstant()), false));
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> !e.directory()).thenComparing(Entry::name));
        boolean isRoot = dir.equals(root);
        String title = "Index of " + HtmlUtils.htmlEscape(displayPath);
        StringBuilder html = new StringBuilder(512 + entries.size() * 160);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(title)
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}"
                        + "td,th{padding:.2em 1.5em .2em 0;text-align:left}td.size{text-align:right}"
                        + "a.tail{font-size:.85em;color:#666}"
                        + "footer{margin-top:2em;color:#666;font-size:.9em}</style>\n</head><body>\n<h1>")
                .append(title).append("</h1>\n<table>\n<tr><th>Name</th><th>Size</th><th>Modified</th><th></th></tr>\n");
        if (!isRoot) {
            html.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td><td></td></tr>\n");
        }
        String base = encodePath(displayPath);
        for (Entry e : entries) {
            String shown = HtmlUtils.htmlEscape(e.name() + (e.directory() ? "/" : ""));
            String href = HtmlUtils.htmlEscape(relativeHref(e.name(), e.directory()));
            html.append("<tr><td><a href=\"").append(href).append("\">").append(shown).append("</a></td><td class=\"size\">")
                    .append(e.directory() || e.outside() ? "" : Long.toString(e.size())).append("</td><td>")
                    .append(e.modified()).append("</td><td>");
            if (e.regular() && fileAction != null) {
                String action = fileAction.apply(base + encodeSegment(e.name()));
                if (action != null) {
                    html.append("<a class=\"tail\" href=\"").append(HtmlUtils.htmlEscape(action))
                            .append("\" title=\"follow this file live\">tail</a>");
                }
            }
            html.append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (!footerHtml.isEmpty()) {
            html.append("<footer>").append(footerHtml).append("</footer>\n");
        }
        html.append("</body></html>\n");
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The link to an entry of the listed directory: {@code ./} then its name as one percent-encoded path
     * segment ({@code :} included), so that no name ({@code javascript:alert(1)}, {@code //host},
     * {@code c:x}) can be read as a scheme or an authority: the link always stays in this directory.
     */
    public static String relativeHref(String name, boolean directory) {
        return "./" + encodeSegment(name) + (directory ? "/" : "");
    }

    /**
     * One path segment percent-encoded ({@link UriUtils#encodePathSegment}: everything but unreserved
     * characters and sub-delimiters, so {@code %}, {@code #}, {@code ?}, spaces, a backslash and non-ASCII
     * are), with {@code :} encoded too ({@code %3A}): a segment with a colon can then never be taken for a
     * scheme.
     */
    public static String encodeSegment(String segment) {
        return UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8).replace(":", "%3A");
    }

    /** A decoded path ({@code /a b/}) with each segment percent-encoded again ({@code /a%20b/}). */
    public static String encodePath(String decoded) {
        StringBuilder out = new StringBuilder(decoded.length() + 16);
        for (String segment : decoded.split("/", -1)) {
            if (out.length() > 0 || !segment.isEmpty()) {
                out.append(encodeSegment(segment));
            }
            out.append('/');
        }
        return out.substring(0, out.length() - 1);
    }
}
