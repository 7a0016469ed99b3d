package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fileflux.reactor.tail.EndOfFile.Action;
import io.fileflux.reactor.tail.EndOfFile.Look;
import org.junit.jupiter.api.Test;

/** One test per row of {@link EndOfFile}'s table, and the neighbours each row must not be confused with. */
class EndOfFileTest {

    // Look(offset, size, newer, follow, restart, quiet, newerGrew)

    @Test
    void row1GrownFileIsReadWhateverElseIsTrue() {
        assertEquals(Action.READ, EndOfFile.decide(new Look(10, 11, false, true, true, false, false)));
        assertEquals(Action.READ, EndOfFile.decide(new Look(10, 11, true, false, false, true, true)));
    }

    @Test
    void row2ShrunkFileRestartsUnderRestartPolicy() {
        assertEquals(Action.RESTART, EndOfFile.decide(new Look(10, 3, false, true, true, false, false)));
        assertEquals(Action.RESTART, EndOfFile.decide(new Look(10, 0, true, true, true, true, true)));
    }

    @Test
    void row3ShrunkFileFailsUnderFailPolicy() {
        assertEquals(Action.FAIL, EndOfFile.decide(new Look(10, 3, false, true, false, false, false)));
        assertEquals(Action.FAIL, EndOfFile.decide(new Look(10, 9, true, false, false, true, true)));
    }

    @Test
    void row4NotFollowingGoesOnToTheNextGenerationAtOnce() {
        assertEquals(Action.NEXT, EndOfFile.decide(new Look(10, 10, true, false, true, false, false)));
    }

    @Test
    void row5QuietForTheGraceGoesOnToTheNextGeneration() {
        assertEquals(Action.NEXT, EndOfFile.decide(new Look(10, 10, true, true, true, true, false)));
    }

    @Test
    void row6ANewerGenerationThatGrewAfterThisOneMeansTheWriterMovedOn() {
        assertEquals(Action.NEXT, EndOfFile.decide(new Look(10, 10, true, true, true, false, true)));
    }

    @Test
    void row7RotatedButMaybeStillWrittenWaitsForTheGrace() {
        assertEquals(Action.WAIT_GRACE, EndOfFile.decide(new Look(10, 10, true, true, true, false, false)));
    }

    @Test
    void row8AtTheEndWithNothingNewerWaitsWhenFollowing() {
        assertEquals(Action.WAIT, EndOfFile.decide(new Look(10, 10, false, true, true, true, true)));
        assertEquals(Action.WAIT, EndOfFile.decide(new Look(0, 0, false, true, false, false, false)));
    }

    @Test
    void row9AtTheEndWithNothingNewerCompletesWhenNotFollowing() {
        assertEquals(Action.COMPLETE, EndOfFile.decide(new Look(10, 10, false, false, true, false, false)));
        assertEquals(Action.COMPLETE, EndOfFile.decide(new Look(0, 0, false, false, false, true, true)));
    }
}
