package io.fileflux.samples.cli;

import io.fileflux.core.FileIoException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import reactor.core.Exceptions;

/** Turns exceptions into the one line a command-line user should see (no stack traces). */
final class UserErrors {

    private UserErrors() {
    }

    static String describe(Throwable t) {
        Throwable e = Exceptions.unwrap(t);
        while (e.getCause() != null && (e instanceof RuntimeException) && !(e instanceof IllegalArgumentException)
                && !(e instanceof IllegalStateException)) {
            e = e.getCause();
        }
        if (e instanceof NoSuchFileException nsf) {
            return nsf.getFile() + ": No such file or directory";
        }
        if (e instanceof AccessDeniedException ad) {
            return ad.getFile() + ": Permission denied";
        }
        if (e instanceof FileAlreadyExistsException fe) {
            return fe.getFile() + ": File exists";
        }
        if (e instanceof java.nio.file.NotDirectoryException nd) {
            return nd.getFile() + ": Not a directory";
        }
        if (e instanceof java.net.BindException || (e.getMessage() != null
                && e.getMessage().contains("Address already in use"))) {
            return "cannot listen: the address is already in use (choose another --port)";
        }
        if (e instanceof FileIoException io) {
            return io.getMessage();
        }
        if (e instanceof FileSystemException fs) {
            return fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName());
        }
        String message = e.getMessage();
        return message != null ? message : e.getClass().getSimpleName();
    }
}
