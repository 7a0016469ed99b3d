/**
 * HTTP file serving for Spring WebFlux through Fileflux: RFC 9110 ranges and preconditions, traversal- and
 * symlink-safe paths under a root, optional directory listings, and per response either the server's
 * zero-copy path or a body streamed through Fileflux ({@link io.fileflux.spring.webflux.TransferStrategy}).
 * Use {@link io.fileflux.spring.webflux.FileServingHandler} from a {@code RouterFunction}, and
 * {@link io.fileflux.spring.webflux.FilefluxResourceHttpMessageWriter} for controllers returning a
 * {@code Resource} and for static resources.
 */
package io.fileflux.spring.webflux;
