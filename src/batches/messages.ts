/** The batch queue's messages: start a batch (read its file into lines), run one line, finalise; poll a native batch's upstream. */
export type BatchMessage = { type: "start"; batch_id: string } | { type: "line"; batch_id: string; custom_id: string } | { type: "finalize"; batch_id: string } | { type: "poll"; batch_id: string };

export const BATCH_QUEUE_NAME = "switchyard-batches";
