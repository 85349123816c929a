package routes;

import sync.testing.EmulatorResource;
import sync.testing.Postgres15Resource;

import java.util.List;

/** {@link TwoWaySyncProfile}'s application on PostgreSQL 15, whose slot streams Sluice's own writes too. */
public class TwoWaySyncPostgres15Profile extends TwoWaySyncProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Postgres15Resource.class), new TestResourceEntry(EmulatorResource.class));
    }
}
