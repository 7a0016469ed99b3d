/**
 * Files as Project Reactor publishers: {@link io.fileflux.reactor.FileFlux} is the one entry point for
 * reads, writes, copies, tails and lines; its options are immutable values
 * ({@link io.fileflux.reactor.ReadOptions}, {@link io.fileflux.reactor.WriteOptions}).
 *
 * <p>Nullness: types in this package are non-null unless marked {@link org.jspecify.annotations.Nullable};
 * an option getter that answers "not set" says so with {@code @Nullable}.
 */
@NullMarked
package io.fileflux.reactor;

import org.jspecify.annotations.NullMarked;
