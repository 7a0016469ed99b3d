/**
 * Following files as they grow: rotation, truncation, checkpoints acknowledged line by line, and the
 * events a tail reports ({@link io.fileflux.reactor.tail.TailEvent}). Start from
 * {@link io.fileflux.reactor.FileFlux#tail} and {@link io.fileflux.reactor.FileFlux#tailLines}.
 *
 * <p>Nullness: types in this package are non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.fileflux.reactor.tail;

import org.jspecify.annotations.NullMarked;
