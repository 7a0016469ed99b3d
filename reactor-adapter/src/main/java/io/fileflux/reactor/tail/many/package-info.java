/**
 * Following many files at once: every file matching a set of globs as one stream of
 * {@link io.fileflux.reactor.tail.many.FileLine lines} with their path, identity, offset and checkpoint.
 * Start from {@link io.fileflux.reactor.FileFlux#tailAll} with {@link io.fileflux.reactor.tail.many.TailAllOptions}.
 *
 * <p>Nullness: types in this package are non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.fileflux.reactor.tail.many;

import org.jspecify.annotations.NullMarked;
