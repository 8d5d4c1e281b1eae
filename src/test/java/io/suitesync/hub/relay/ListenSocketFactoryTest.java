package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** The LISTEN sessions' sockets: pgjdbc's 1 ms "anything more?" read answers at once; other reads as ever. */
class ListenSocketFactoryTest {

    @Test
    void theDriversOneMillisecondLookAtAnEmptySocketDoesNotWait() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new ListenSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            InputStream in = client.getInputStream();
            client.setSoTimeout(ListenSocketFactory.PENDING_CHECK_TIMEOUT_MILLIS);
            int looks = 2_000;
            long started = System.nanoTime();
            for (int i = 0; i < looks; i++) {
                assertThatThrownBy(() -> in.read(new byte[1], 0, 1)).isInstanceOf(SocketTimeoutException.class);
            }
            // a plain socket waits out the millisecond each time: 2,000 looks take at least 2 s
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(looks / 2);
        }
    }

    @Test
    void whatHasArrivedIsReadUnderTheOneMillisecondTimeoutAndLongerReadsWaitForData() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new ListenSocketFactory().createSocket();
             ) {
            client.connect(server.getLocalSocketAddress());
            try (Socket accepted = server.accept()) {
                OutputStream out = accepted.getOutputStream();
                InputStream in = client.getInputStream();
                out.write('A');
                out.flush();
                client.setSoTimeout(2_000);
                byte[] one = new byte[1];
                // a read with a longer timeout blocks until the byte is there
                assertThat(in.read(one, 0, 1)).isEqualTo(1);
                assertThat(one[0]).isEqualTo((byte) 'A');

                out.write('B');
                out.flush();
                client.setSoTimeout(2_000);
                while (in.available() == 0) {
                    Thread.onSpinWait();
                }
                client.setSoTimeout(ListenSocketFactory.PENDING_CHECK_TIMEOUT_MILLIS);
                assertThat(in.read()).isEqualTo('B');
            }
        }
    }
}
