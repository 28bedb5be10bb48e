CREATE TABLE `budget_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`kind` text NOT NULL,
	`spend` real NOT NULL,
	`budget` real NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `teams` (
	`team_id` text PRIMARY KEY NOT NULL,
	`team_alias` text,
	`models` text NOT NULL,
	`max_budget` real,
	`budget_duration` text,
	`rpm_limit` integer,
	`tpm_limit` integer,
	`metadata` text NOT NULL,
	`spend` real DEFAULT 0 NOT NULL,
	`blocked` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `keys` ADD `tpm_limit` integer;--> statement-breakpoint
ALTER TABLE `keys` ADD `max_parallel_requests` integer;--> statement-breakpoint
ALTER TABLE `keys` ADD `model_rpm_limit` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `model_tpm_limit` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `max_budget` real;--> statement-breakpoint
ALTER TABLE `keys` ADD `budget_duration` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `soft_budget` real;--> statement-breakpoint
ALTER TABLE `keys` ADD `model_max_budget` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `team_id` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `temp_budget_increase` real;--> statement-breakpoint
ALTER TABLE `keys` ADD `temp_budget_expiry` integer;--> statement-breakpoint
CREATE INDEX `keys_team_idx` ON `keys` (`team_id`);--> statement-breakpoint
ALTER TABLE `spend_logs` ADD `team_id` text;--> statement-breakpoint
ALTER TABLE `spend_logs` ADD `applied` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX `spend_logs_unapplied_idx` ON `spend_logs` (`applied`) WHERE "spend_logs"."applied" = 0;