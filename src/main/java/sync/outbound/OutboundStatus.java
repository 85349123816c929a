package sync.outbound;

import sync.debezium.Publication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /sync/status} shows of the PostgreSQL -> Salesforce direction: the replication
 * slot (WAL it retains) and, per mapping, the queue by status, how old the oldest waiting change
 * is, when the last one was sent and how many wait for a retry.
 */
public final class OutboundStatus {
    private OutboundStatus() {
    }

    public static Map<String, Object> of(Connection c, String slot, boolean capturing, Map<String, OutboundMapping> mappings)
            throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("slot", slot);
        out.put("capturing", capturing);
        long lag = Publication.slotLagBytes(c, slot);
        out.put("slotRetainedWalBytes", lag < 0 ? null : lag);
        List<Object> list = new ArrayList<>();
        for (OutboundMapping m : mappings.values()) {
            list.add(mapping(c, m));
        }
        out.put("mappings", list);
        return out;
    }

    private static Map<String, Object> mapping(Connection c, OutboundMapping m) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mapping", m.name());
        out.put("object", m.object());
        out.put("table", m.mapping().qualifiedTable());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (String s : List.of("pending", "sending", "sent", "failed")) {
            byStatus.put(s, 0L);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT status, count(*) FROM sync.outbound_change WHERE mapping = ? GROUP BY status")) {
            ps.setString(1, m.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byStatus.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        out.put("queue", byStatus);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT min(commit_at) FILTER (WHERE status IN ('pending', 'sending')),
                       count(*) FILTER (WHERE status = 'pending' AND next_attempt > now()),
                       max(sent_at)
                FROM sync.outbound_change WHERE mapping = ? AND (status <> 'failed')""")) {
            ps.setString(1, m.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp oldest = rs.getTimestamp(1);
                out.put("oldestWaitingCommittedAt", oldest == null ? null : oldest.toInstant().toString());
                out.put("oldestWaitingSeconds", oldest == null ? null
                        : Math.max(0, (System.currentTimeMillis() - oldest.getTime()) / 1000.0));
                out.put("waitingForRetry", rs.getLong(2));
                Timestamp sent = rs.getTimestamp(3);
                out.put("lastSentAt", sent == null ? null : sent.toInstant().toString());
            }
        }
        return out;
    }
}
