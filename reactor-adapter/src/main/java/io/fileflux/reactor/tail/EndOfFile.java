package io.fileflux.reactor.tail;

/**
 * The tail's decision at the end of the generation it reads: read on, restart after a truncation,
 * fail, go on to the next generation, wait, or complete. A pure function of what the tail knows; the
 * operator gathers the facts (an {@code fstat} of the open file, the generations seen at the path
 * since) and carries out the action.
 *
 * <table>
 *   <caption>The decision, first matching row wins</caption>
 *   <tr><th>#</th><th>size vs. offset read</th><th>newer generation</th><th>other facts</th><th>action</th></tr>
 *   <tr><td>1</td><td>size &gt; offset</td><td>any</td><td></td><td>{@link Action#READ}</td></tr>
 *   <tr><td>2</td><td>size &lt; offset</td><td>any</td><td>policy RESTART</td><td>{@link Action#RESTART}</td></tr>
 *   <tr><td>3</td><td>size &lt; offset</td><td>any</td><td>policy FAIL</td><td>{@link Action#FAIL}</td></tr>
 *   <tr><td>4</td><td>equal</td><td>yes</td><td>not following</td><td>{@link Action#NEXT}</td></tr>
 *   <tr><td>5</td><td>equal</td><td>yes</td><td>quiet for the rotation grace</td><td>{@link Action#NEXT}</td></tr>
 *   <tr><td>6</td><td>equal</td><td>yes</td><td>a newer one grew since this one last changed</td><td>{@link Action#NEXT}</td></tr>
 *   <tr><td>7</td><td>equal</td><td>yes</td><td>none of those</td><td>{@link Action#WAIT_GRACE}</td></tr>
 *   <tr><td>8</td><td>equal</td><td>no</td><td>following</td><td>{@link Action#WAIT}</td></tr>
 *   <tr><td>9</td><td>equal</td><td>no</td><td>not following</td><td>{@link Action#COMPLETE}</td></tr>
 * </table>
 *
 * <p>Rows 5–7 are the rotation grace: a generation rotated away may still be written by a writer that
 * has not reopened the path yet. The tail stays with it until it has been quiet for the grace period
 * or a newer generation grew after it last changed (the writer has moved on).
 */
final class EndOfFile {

    private EndOfFile() {
    }

    /** What the tail does next. */
    enum Action {
        /** The file has bytes past the offset read: read them. */
        READ,
        /** The same file is shorter than the offset read (truncated): read it again from 0, report it. */
        RESTART,
        /** The same file is shorter than the offset read and the policy says fail. */
        FAIL,
        /** This generation is finished: close it, read the next one from 0. */
        NEXT,
        /** A newer generation waits, but this one may still be written: wait, at most until the grace ends. */
        WAIT_GRACE,
        /** Nothing to do until the file grows or the path changes. */
        WAIT,
        /** Not following: the end of the file is the end of the stream. */
        COMPLETE
    }

    /**
     * The facts at a look at the end of the generation being read.
     *
     * @param offset     the offset read so far
     * @param size       the generation's size now ({@code fstat} of the open file)
     * @param newer      a newer generation was seen at the path (and is held, waiting)
     * @param follow     the tail follows (false: read to the end and complete)
     * @param restart    truncation policy: true to restart at 0, false to fail
     * @param quiet      this generation has not changed for the rotation grace period
     * @param newerGrew  a newer generation grew after this one last changed
     */
    record Look(long offset, long size, boolean newer, boolean follow, boolean restart, boolean quiet,
                boolean newerGrew) {
    }

    /** The action for {@code look}; see the table of the class. */
    static Action decide(Look look) {
        if (look.size > look.offset) {
            return Action.READ;
        }
        if (look.size < look.offset) {
            return look.restart ? Action.RESTART : Action.FAIL;
        }
        if (look.newer) {
            return !look.follow || look.quiet || look.newerGrew ? Action.NEXT : Action.WAIT_GRACE;
        }
        return look.follow ? Action.WAIT : Action.COMPLETE;
    }
}
