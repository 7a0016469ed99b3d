/**
 * Line decoding of byte chunks: terminators ({@code \n}, {@code \r\n}, {@code \r}), charsets, the
 * longest line and what happens past it ({@link io.fileflux.reactor.lines.LineOptions}).
 *
 * <p>Nullness: types in this package are non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.fileflux.reactor.lines;

import org.jspecify.annotations.NullMarked;
