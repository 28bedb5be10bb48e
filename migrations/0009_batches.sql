CREATE TABLE `batch_lines` (
	`batch_id` text NOT NULL,
	`custom_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`body` text NOT NULL,
	`state` text NOT NULL,
	`tries` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`result` text,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cost` real,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`batch_id`, `custom_id`)
);
--> statement-breakpoint
CREATE INDEX `batch_lines_state_idx` ON `batch_lines` (`batch_id`,`state`);--> statement-breakpoint
CREATE INDEX `batch_lines_order_idx` ON `batch_lines` (`batch_id`,`line_no`);--> statement-breakpoint
CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_key_id` text NOT NULL,
	`team_id` text,
	`endpoint` text NOT NULL,
	`input_file_id` text NOT NULL,
	`completion_window` text NOT NULL,
	`status` text NOT NULL,
	`output_file_id` text,
	`error_file_id` text,
	`errors` text,
	`metadata` text,
	`output_expires_seconds` integer,
	`total` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`in_progress_at` integer,
	`finalizing_at` integer,
	`completed_at` integer,
	`failed_at` integer,
	`expired_at` integer,
	`cancelling_at` integer,
	`cancelled_at` integer,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `batches_owner_idx` ON `batches` (`owner_key_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_key_id` text NOT NULL,
	`team_id` text,
	`purpose` text NOT NULL,
	`filename` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`line_count` integer,
	`batch_url` text,
	`models` text
);
--> statement-breakpoint
CREATE INDEX `files_owner_idx` ON `files` (`owner_key_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `keys` ADD `key_id` text;--> statement-breakpoint
CREATE INDEX `keys_key_id_idx` ON `keys` (`key_id`);--> statement-breakpoint
ALTER TABLE `spend_logs` ADD `batch_id` text;--> statement-breakpoint
ALTER TABLE `spend_logs` ADD `custom_id` text;--> statement-breakpoint
CREATE INDEX `spend_logs_batch_idx` ON `spend_logs` (`batch_id`) WHERE "spend_logs"."batch_id" IS NOT NULL;--> statement-breakpoint
-- Keys made before key_id existed: their token at this moment becomes their stable id.
UPDATE `keys` SET `key_id` = `token` WHERE `key_id` IS NULL;
