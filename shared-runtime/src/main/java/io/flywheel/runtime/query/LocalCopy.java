package io.flywheel.runtime.query;

import io.flywheel.query.v1.ResponseMetadata;

/** The local copy of one store partition that answers a point query: active, or a standby so many records behind. */
public record LocalCopy(String store, int partition, ResponseMetadata.Role role, long lagRecords) {

    public static LocalCopy active(String store, int partition) {
        return new LocalCopy(store, partition, ResponseMetadata.Role.ACTIVE, 0);
    }

    public static LocalCopy standby(String store, int partition, long lagRecords) {
        return new LocalCopy(store, partition, ResponseMetadata.Role.STANDBY, lagRecords);
    }

    public boolean active() {
        return role == ResponseMetadata.Role.ACTIVE;
    }

    /** The metadata of an answer this copy gives on {@code self}, received there too. */
    public ResponseMetadata metadata(String self) {
        return ResponseMetadata.newBuilder()
                .setServedBy(self)
                .setReceivedBy(self)
                .setRole(role)
                .setPartition(partition)
                .setLagRecords(lagRecords)
                .build();
    }
}
