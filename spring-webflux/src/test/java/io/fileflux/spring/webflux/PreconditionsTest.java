package io.fileflux.spring.webflux;

import static io.fileflux.spring.webflux.Preconditions.Outcome.NOT_MODIFIED;
import static io.fileflux.spring.webflux.Preconditions.Outcome.PRECONDITION_FAILED;
import static io.fileflux.spring.webflux.Preconditions.Outcome.PROCEED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/** RFC 9110 §13.2.2: the conditional headers of a GET or HEAD of a file, in their order. */
class PreconditionsTest {

    static final String TAG = "\"a-1-2\"";
    static final Instant MODIFIED = Instant.parse("2024-05-01T12:00:00Z");
    static final String AT = "Wed, 01 May 2024 12:00:00 GMT";
    static final String BEFORE = "Wed, 01 May 2024 11:59:59 GMT";
    static final String AFTER = "Wed, 01 May 2024 12:00:01 GMT";

    static Preconditions.Outcome eval(String... headers) {
        HttpHeaders h = new HttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return Preconditions.evaluate(h, MODIFIED, TAG);
    }

    @Test
    void ifMatchIsAStrongComparisonAndStarMatchesAnyFile() {
        assertEquals(PROCEED, eval("If-Match", TAG));
        assertEquals(PROCEED, eval("If-Match", "\"x\", " + TAG));
        assertEquals(PROCEED, eval("If-Match", "\"x\"", "If-Match", TAG));
        assertEquals(PROCEED, eval("If-Match", "*"));
        assertEquals(PRECONDITION_FAILED, eval("If-Match", "\"x\""));
        assertEquals(PRECONDITION_FAILED, eval("If-Match", "W/" + TAG), "a weak tag never matches strongly");
        assertEquals(PRECONDITION_FAILED, eval("If-Match", "garbage"), "an If-Match that cannot be checked fails");
    }

    @Test
    void ifUnmodifiedSinceCountsOnlyWithoutIfMatch() {
        assertEquals(PRECONDITION_FAILED, eval("If-Unmodified-Since", BEFORE));
        assertEquals(PROCEED, eval("If-Unmodified-Since", AT));
        assertEquals(PROCEED, eval("If-Unmodified-Since", AFTER));
        assertEquals(PROCEED, eval("If-Unmodified-Since", "not a date"));
        // Spring's checkNotModified ignores If-Match on GET and would answer 412 here
        assertEquals(PROCEED, eval("If-Match", TAG, "If-Unmodified-Since", BEFORE));
    }

    @Test
    void ifNoneMatchIsAWeakComparisonAndWinsOverIfModifiedSince() {
        assertEquals(NOT_MODIFIED, eval("If-None-Match", TAG));
        assertEquals(NOT_MODIFIED, eval("If-None-Match", "W/" + TAG));
        assertEquals(NOT_MODIFIED, eval("If-None-Match", "*"));
        assertEquals(PROCEED, eval("If-None-Match", "\"x\""));
        assertEquals(PROCEED, eval("If-None-Match", "\"x\"", "If-Modified-Since", AFTER), "If-Modified-Since ignored");
        assertEquals(NOT_MODIFIED, eval("If-Modified-Since", AT));
        assertEquals(NOT_MODIFIED, eval("If-Modified-Since", AFTER));
        assertEquals(PROCEED, eval("If-Modified-Since", BEFORE));
        assertEquals(PROCEED, eval("If-Modified-Since", "yesterday"));
    }

    @Test
    void ifMatchFailingComesBeforeIfNoneMatch() {
        assertEquals(PRECONDITION_FAILED, eval("If-Match", "\"x\"", "If-None-Match", TAG));
        assertEquals(NOT_MODIFIED, eval("If-Match", TAG, "If-None-Match", TAG));
    }

    @Test
    void ifRangeAppliesOnlyWhileItsValidatorHolds() {
        HttpHeaders h = new HttpHeaders();
        assertTrue(Preconditions.rangeApplies(h, MODIFIED, TAG));
        h.set("If-Range", TAG);
        assertTrue(Preconditions.rangeApplies(h, MODIFIED, TAG));
        h.set("If-Range", "W/" + TAG);
        assertFalse(Preconditions.rangeApplies(h, MODIFIED, TAG), "a weak tag is never a range validator");
        h.set("If-Range", "\"old\"");
        assertFalse(Preconditions.rangeApplies(h, MODIFIED, TAG));
        h.set("If-Range", AT);
        assertTrue(Preconditions.rangeApplies(h, MODIFIED, TAG));
        h.set("If-Range", AFTER);
        assertFalse(Preconditions.rangeApplies(h, MODIFIED, TAG), "only the exact date");
        h.set("If-Range", "nonsense");
        assertFalse(Preconditions.rangeApplies(h, MODIFIED, TAG));
    }
}
