/**
 * The callback-driven file device model: {@link io.fileflux.core.FileEngine engines} open files as
 * {@link io.fileflux.core.FileDevice devices} whose positional reads and writes complete on the engine's
 * thread; {@link io.fileflux.core.Engines} chooses and shares them; {@link io.fileflux.core.BufferPool}
 * lends direct buffers.
 *
 * <p>Nullness: types in this package are non-null unless marked {@link org.jspecify.annotations.Nullable}.
 * The engine packages ({@code uring}, {@code iocp}, {@code nio}, {@code completion}) are implementation
 * and carry no nullness contract.
 */
@NullMarked
package io.fileflux.core;

import org.jspecify.annotations.NullMarked;
