/**
 * The io_uring engine for Linux, through JNA and raw syscalls (no liburing, no C code of ours).
 *
 * <p>{@link io.fileflux.core.uring.IoUringEngine} owns the ring and its completion thread;
 * {@code Ring} maps the rings and accesses their indexes with acquire/release ordering;
 * {@code IoUringAbi} writes down the kernel structures' offsets; {@code LinuxNative} holds every
 * native declaration. Ops, their buffers and cancellation follow the shared model of
 * {@link io.fileflux.core.completion}.
 */
package io.fileflux.core.uring;
