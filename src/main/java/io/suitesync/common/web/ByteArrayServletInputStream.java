package io.suitesync.common.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;

/**
 * A request body already read into memory, served again as the request's input stream: the request
 * wrappers of the filters that must read a body before the route does (its size, its encoding) hand
 * it on with this.
 */
final class ByteArrayServletInputStream extends ServletInputStream {

    private final ByteArrayInputStream in;

    ByteArrayServletInputStream(byte[] body) {
        this.in = new ByteArrayInputStream(body);
    }

    @Override
    public int read() {
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
    }

    @Override
    public boolean isFinished() {
        return in.available() == 0;
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
        throw new UnsupportedOperationException("the body is already in memory");
    }
}
