package io.fileflux.bench;

import java.util.Locale;

/** Parsing and printing sizes ({@code 64k}, {@code 1g}) and durations. */
final class Units {

    private Units() {
    }

    /** Parses {@code 4096}, {@code 64k}, {@code 1m}, {@code 1g} (binary multiples, case-insensitive). */
    static long parseBytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("i")) {
            t = t.substring(0, t.length() - 1);
        }
        long mult = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> mult = 1L << 10;
                case 'm' -> mult = 1L << 20;
                case 'g' -> mult = 1L << 30;
                default -> mult = 1;
            }
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t) * mult;
            if (v <= 0) {
                throw new IllegalArgumentException("size must be > 0: " + text);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size (e.g. 64k, 1m, 1g): " + text);
        }
    }

    /** {@code 64 KiB}, {@code 1 MiB}, {@code 1 GiB}, or bytes. */
    static String bytes(long n) {
        if (n >= 1L << 30 && n % (1L << 30) == 0) {
            return (n >> 30) + " GiB";
        }
        if (n >= 1L << 20 && n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        if (n >= 1L << 10 && n % (1L << 10) == 0) {
            return (n >> 10) + " KiB";
        }
        return n + " B";
    }
}
