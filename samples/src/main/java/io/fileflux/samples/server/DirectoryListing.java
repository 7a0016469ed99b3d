package io.fileflux.samples.server;

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
import java.util.stream.Stream;
import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriUtils;

/**
 * A directory as a small HTML page: one row per entry (directories first), with size and date, and for
 * regular files a "tail" link to the live viewer ({@code /_fileflux/view/...}).
 */
final class DirectoryListing {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private record Entry(String name, boolean directory, boolean regular, long size, String modified) {
    }

    private DirectoryListing() {
    }

    /**
     * @param dir         the directory
     * @param displayPath its path as the browser sees it (decoded, ends with {@code /})
     * @param isRoot      no parent link at the root
     */
    static byte[] render(Path dir, String displayPath, boolean isRoot) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (IOException e) {
                    continue; // dangling link, vanished meanwhile: not listed
                }
                entries.add(new Entry(p.getFileName().toString(), a.isDirectory(), a.isRegularFile(), a.size(),
                        DATE.format(a.lastModifiedTime().toInstant())));
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> !e.directory()).thenComparing(Entry::name));
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
        String viewBase = LiveTail.VIEW_PREFIX + encodePath(displayPath);
        for (Entry e : entries) {
            String shown = HtmlUtils.htmlEscape(e.name() + (e.directory() ? "/" : ""));
            String href = HtmlUtils.htmlEscape(relativeHref(e.name(), e.directory()));
            html.append("<tr><td><a href=\"").append(href).append("\">").append(shown).append("</a></td><td class=\"size\">")
                    .append(e.directory() ? "" : Long.toString(e.size())).append("</td><td>").append(e.modified())
                    .append("</td><td>");
            if (e.regular()) {
                html.append("<a class=\"tail\" href=\"").append(HtmlUtils.htmlEscape(viewBase + encodeSegment(e.name())))
                        .append("\" title=\"follow this file live\">tail</a>");
            }
            html.append("</td></tr>\n");
        }
        html.append("</table>\n<footer>Served by Fileflux — <a href=\"/_fileflux/status\">status</a></footer>\n")
                .append("</body></html>\n");
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The link to an entry of the listed directory: {@code ./} then its name as one percent-encoded path
     * segment ({@code :} included), so that no name ({@code javascript:alert(1)}, {@code //host},
     * {@code c:x}) can be read as a scheme or an authority: the link always stays in this directory.
     */
    static String relativeHref(String name, boolean directory) {
        return "./" + encodeSegment(name) + (directory ? "/" : "");
    }

    /**
     * One path segment percent-encoded ({@link UriUtils#encodePathSegment}), with {@code :} encoded too
     * ({@code %3A}): a segment with a colon can then never be taken for a scheme.
     */
    static String encodeSegment(String segment) {
        return UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8).replace(":", "%3A");
    }

    /** A decoded path ({@code /a b/}) with each segment percent-encoded again ({@code /a%20b/}). */
    static String encodePath(String decoded) {
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
