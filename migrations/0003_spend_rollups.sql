CREATE TABLE `spend_daily` (
	`day` text NOT NULL,
	`api_key` text NOT NULL,
	`team_id` text NOT NULL,
	`model_group` text NOT NULL,
	`provider` text NOT NULL,
	`user` text NOT NULL,
	`requests` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`spend` real NOT NULL,
	`failed_requests` integer NOT NULL,
	`unpriced_requests` integer NOT NULL,
	PRIMARY KEY(`day`, `api_key`, `team_id`, `model_group`, `provider`, `user`)
);
--> statement-breakpoint
CREATE TABLE `spend_daily_tags` (
	`day` text NOT NULL,
	`tag` text NOT NULL,
	`requests` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`spend` real NOT NULL,
	`failed_requests` integer NOT NULL,
	`unpriced_requests` integer NOT NULL,
	PRIMARY KEY(`day`, `tag`)
);
