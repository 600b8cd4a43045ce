import { LockstepError } from '@lockstep/base';

/** A replica statement that the replica's state forbids, with MariaDB's errno and text. */
export class ReplicaStateError extends LockstepError {
  /** 1198 ER_SLAVE_MUST_STOP: CHANGE MASTER / RESET SLAVE / gtid_slave_pos while the threads run. */
  static running(): ReplicaStateError {
    return new ReplicaStateError("This operation cannot be performed as you have a running slave ''; run STOP SLAVE '' first", 1198);
  }

  /** 1200 ER_BAD_SLAVE: START SLAVE before CHANGE MASTER TO MASTER_HOST. */
  static misconfigured(): ReplicaStateError {
    return new ReplicaStateError('Misconfigured slave: MASTER_HOST was not set; Fix in config file or with CHANGE MASTER TO', 1200);
  }

  private constructor(message: string, errno: number) {
    super('SERVER_REPLICA_STATE', message, { errno, sqlState: 'HY000' });
  }
}
