package io.fileflux.bench;

/**
 * What one sequential read returns: the bytes it consumed and their {@link Fold}, so the harness can
 * check that every contender read the same data.
 *
 * @param bytes bytes read
 * @param fold  the sum of {@link Fold#fold} over every chunk
 */
public record Outcome(long bytes, long fold) {
}
