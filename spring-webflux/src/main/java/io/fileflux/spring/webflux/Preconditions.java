package io.fileflux.spring.webflux;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.http.ETag;
import org.springframework.http.HttpHeaders;

/**
 * The conditional request headers of a {@code GET} or {@code HEAD} of a file, evaluated as RFC 9110 §13.2.2
 * orders them: {@code If-Match} (strong comparison, {@code *} matches), else {@code If-Unmodified-Since};
 * then {@code If-None-Match} (weak comparison, {@code *} matches), else {@code If-Modified-Since}; and
 * {@code If-Range} (§13.1.5) for a range request. Dates that do not parse are ignored. Stateless.
 *
 * <p>Entity tags are parsed and compared with Spring's {@link ETag} ({@code ETag.parse},
 * {@code ETag.compare(other, strong)}). The order is ours, not Spring's {@code checkNotModified}: that one
 * ignores {@code If-Match} on {@code GET} and {@code HEAD} (it is meant for lost-update checks), so a
 * matching {@code If-Match} with an older {@code If-Unmodified-Since} would be a {@code 412} there, where
 * RFC 9110 ignores {@code If-Unmodified-Since} once {@code If-Match} is present.
 */
public final class Preconditions {

    /** The outcome of {@link #evaluate}. */
    public enum Outcome {
        /** No condition fails: answer the request. */
        PROCEED,
        /** {@code 304 Not Modified}. */
        NOT_MODIFIED,
        /** {@code 412 Precondition Failed}. */
        PRECONDITION_FAILED
    }

    private Preconditions() {
    }

    /**
     * @param headers      the request's headers
     * @param lastModified the file's modification time, to the second
     * @param etag         the file's current entity tag, quoted (strong or {@code W/})
     */
    public static Outcome evaluate(HttpHeaders headers, Instant lastModified, String etag) {
        List<String> ifMatch = headers.get(HttpHeaders.IF_MATCH);
        if (ifMatch != null) {
            if (!matches(ifMatch, etag, true)) {
                return Outcome.PRECONDITION_FAILED;
            }
        } else {
            Instant unmodifiedSince = date(headers, HttpHeaders.IF_UNMODIFIED_SINCE);
            if (unmodifiedSince != null && lastModified.isAfter(unmodifiedSince)) {
                return Outcome.PRECONDITION_FAILED;
            }
        }
        List<String> ifNoneMatch = headers.get(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            return matches(ifNoneMatch, etag, false) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
        }
        Instant modifiedSince = date(headers, HttpHeaders.IF_MODIFIED_SINCE);
        if (modifiedSince != null && !lastModified.isAfter(modifiedSince)) {
            return Outcome.NOT_MODIFIED;
        }
        return Outcome.PROCEED;
    }

    /**
     * {@code If-Range} (RFC 9110 §13.1.5): whether a range request's ranges apply. They do without the header,
     * or when its validator still matches: a strong entity tag equal to ours (strong comparison), or exactly our
     * {@code Last-Modified}. Otherwise the whole file is sent.
     */
    public static boolean rangeApplies(HttpHeaders headers, Instant lastModified, String etag) {
        String ifRange = headers.getFirst(HttpHeaders.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        ifRange = ifRange.trim();
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            List<ETag> tags = ETag.parse(ifRange);
            return tags.size() == 1 && !tags.get(0).isWildcard() && tags.get(0).compare(ETag.create(etag), true);
        }
        try {
            return ZonedDateTime.parse(ifRange, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().equals(lastModified);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Whether an {@code If-Match}/{@code If-None-Match} list matches {@code current}: {@code *}, or one of its
     * tags compared with Spring's {@link ETag#compare} (strong: a weak tag never matches). A list of which
     * nothing parses matches nothing.
     */
    static boolean matches(List<String> values, String current, boolean strong) {
        ETag ours = ETag.create(current);
        for (String value : values) {
            for (ETag tag : ETag.parse(value)) {
                if (tag.isWildcard() || tag.compare(ours, strong)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An HTTP-date header, or null if it is absent or not a date. */
    private static Instant date(HttpHeaders headers, String name) {
        try {
            long millis = headers.getFirstDate(name);
            return millis < 0 ? null : Instant.ofEpochMilli(millis);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
