CREATE TABLE `keys` (
	`token` text PRIMARY KEY NOT NULL,
	`key_name` text NOT NULL,
	`key_alias` text,
	`models` text NOT NULL,
	`expires` integer,
	`rpm_limit` integer,
	`metadata` text NOT NULL,
	`spend` real DEFAULT 0 NOT NULL,
	`blocked` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `keys_alias_idx` ON `keys` (`key_alias`);--> statement-breakpoint
CREATE TABLE `spend_logs` (
	`request_id` text PRIMARY KEY NOT NULL,
	`api_key` text NOT NULL,
	`model` text NOT NULL,
	`model_group` text NOT NULL,
	`provider` text NOT NULL,
	`deployment` text NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`spend` real,
	`status` text NOT NULL,
	`start_time` integer NOT NULL,
	`end_time` integer NOT NULL,
	`metadata` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `spend_logs_key_time_idx` ON `spend_logs` (`api_key`,`start_time`);--> statement-breakpoint
CREATE INDEX `spend_logs_time_idx` ON `spend_logs` (`start_time`);