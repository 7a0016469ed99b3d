/**
 * The Spring Boot starter: auto-configured Fileflux engine, and a reactive web application's static resources
 * and {@code Resource} responses served through Fileflux, zero-copy where it applies.
 */
package io.fileflux.spring.boot;
