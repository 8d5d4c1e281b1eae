package io.suitesync.hub.relay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.SocketFactory;

/**
 * The sockets of the relay's LISTEN sessions ({@link RelayLeadership}; pgjdbc's {@code socketFactory}
 * connection property), so a lane wakes as soon as a NOTIFY arrives, and of the logical capture's
 * replication stream ({@code LogicalCaptureReader}), whose {@code readPending()} asks the same question.
 *
 * <p>pgjdbc's {@code getNotifications(timeout)} returns only after asking whether more is pending
 * ({@code PGStream.hasMessagePending}), and it asks with a read of 1 ms timeout that, when nothing
 * is pending, waits out the whole millisecond. Every wake-up of a lane came 1 ms after its NOTIFY,
 * and a session could take at most about a thousand wake-ups a second: beyond that, notifications
 * queued behind each other (RelayBench: live p50 20 ms instead of 5 at 1,000 changes/s once the lane
 * waited for a NOTIFY after each claim; NotifyLatencyBench at 1,000 notifications/s: p50 / p99 4-5 /
 * 34-37 ms, with these sockets 0.06-0.14 / 1.9-4.1 ms). Here a read with that 1 ms timeout answers at once when nothing has arrived: it is only
 * ever the driver's "anything more?", and an answer of no is right, as the lane's next timed wait
 * reads whatever comes later. Every other read blocks as before.
 */
public class ListenSocketFactory extends SocketFactory {

    /** The timeout pgjdbc sets for its look at whether anything more is pending. */
    static final int PENDING_CHECK_TIMEOUT_MILLIS = 1;

    public ListenSocketFactory() {
        // instantiated by pgjdbc from the class name
    }

    @Override
    public Socket createSocket() {
        return new ListenSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    /** A socket connected to {@code remote}, bound to {@code local} first when one is given. */
    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = new ListenSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(remote);
        return socket;
    }

    /** A plain socket whose reads under the 1 ms timeout do not wait when nothing has arrived. */
    static final class ListenSocket extends Socket {

        @Override
        public InputStream getInputStream() throws IOException {
            InputStream in = super.getInputStream();
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    nothingPendingCheck();
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    nothingPendingCheck();
                    return in.read(b, off, len);
                }

                private void nothingPendingCheck() throws IOException {
                    if (getSoTimeout() == PENDING_CHECK_TIMEOUT_MILLIS && in.available() == 0) {
                        throw new NothingPending();
                    }
                }
            };
        }
    }

    /**
     * The answer "nothing pending": the driver catches it at once, so it carries no stack trace (filling
     * one in was 5 % of the live lane's CPU, as it is asked after every wake-up).
     */
    static final class NothingPending extends SocketTimeoutException {

        NothingPending() {
            super("nothing pending");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
