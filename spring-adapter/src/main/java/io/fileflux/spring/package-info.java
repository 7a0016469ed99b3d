/**
 * Fileflux for Spring WebFlux: files as {@code Flux<DataBuffer>} ({@link io.fileflux.spring.FileDataBuffers})
 * and HTTP byte ranges, one or several ({@code multipart/byteranges}), read from one open file
 * ({@link io.fileflux.spring.ByteRanges}).
 *
 * <p>A module of its own ({@code fileflux-spring}) so that {@code fileflux-reactor} stays free of Spring:
 * no optional dependency whose absence shows up as a {@code NoClassDefFoundError}, and the Spring
 * versions are chosen by the application's own Spring Boot BOM.
 *
 * <p>Nullness: types in this package are non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.fileflux.spring;

import org.jspecify.annotations.NullMarked;
