package io.fileflux.samples.server;

/** Entity-tag lists ({@code If-Match}, {@code If-None-Match}: RFC 9110 §8.8.3, §13.1.1, §13.1.2). */
final class ETags {

    private ETags() {
    }

    /**
     * Whether the list {@code header} ({@code *}, or entity tags separated by commas) matches {@code current},
     * a strong entity tag ({@code "..."}).
     *
     * @param strong strong comparison ({@code If-Match}: a weak tag {@code W/"..."} never matches), or weak
     *               comparison ({@code If-None-Match}: the opaque tags are compared, {@code W/} or not)
     * @return false for a list that does not parse (an {@code If-Match} that cannot be checked fails)
     */
    static boolean matches(String header, String current, boolean strong) {
        int i = 0;
        int n = header.length();
        while (i < n) {
            char c = header.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            if (c == '*') {
                return true;
            }
            boolean weak = false;
            if (header.startsWith("W/", i)) {
                weak = true;
                i += 2;
            }
            if (i >= n || header.charAt(i) != '"') {
                return false;
            }
            int end = header.indexOf('"', i + 1);
            if (end < 0) {
                return false;
            }
            String tag = header.substring(i, end + 1);
            if (tag.equals(current) && !(strong && weak)) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }
}
