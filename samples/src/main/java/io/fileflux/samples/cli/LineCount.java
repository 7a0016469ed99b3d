package io.fileflux.samples.cli;

/**
 * A parsed {@code tail -n}: the last {@code n} lines, or ({@code fromLine}) starting with line {@code n}.
 * Immutable.
 *
 * @param fromLine true for {@code +N}
 * @param n        the count
 */
record LineCount(boolean fromLine, long n) {

    /** Parses {@code N}, {@code -N}, {@code +N}, with GNU tail's multiplier suffixes. */
    static LineCount parse(String value) {
        String v = value.trim();
        boolean plus = v.startsWith("+");
        if (plus || v.startsWith("-")) {
            v = v.substring(1);
        }
        int digits = 0;
        while (digits < v.length() && Character.isDigit(v.charAt(digits))) {
            digits++;
        }
        if (digits == 0) {
            throw new IllegalArgumentException("invalid number of lines: '" + value + "'");
        }
        long unit = unit(v.substring(digits));
        if (unit < 0) {
            throw new IllegalArgumentException("invalid number of lines: '" + value + "'");
        }
        try {
            return new LineCount(plus, Math.multiplyExact(Long.parseLong(v.substring(0, digits)), unit));
        } catch (NumberFormatException | ArithmeticException e) {
            return new LineCount(plus, Long.MAX_VALUE); // as GNU tail: a huge count means "all"
        }
    }

    private static long unit(String suffix) {
        if (suffix.isEmpty()) {
            return 1;
        }
        if (suffix.equals("b")) {
            return 512;
        }
        String letters = "KMGTPE";
        int power = letters.indexOf(Character.toUpperCase(suffix.charAt(0))) + 1;
        if (power == 0) {
            return -1;
        }
        String rest = suffix.substring(1);
        long base;
        if (rest.isEmpty() || rest.equals("iB")) {
            base = 1024;
        } else if (rest.equals("B")) {
            base = 1000;
        } else {
            return -1;
        }
        long u = 1;
        for (int i = 0; i < power; i++) {
            u *= base;
        }
        return u;
    }
}
