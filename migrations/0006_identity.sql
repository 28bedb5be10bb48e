CREATE TABLE `end_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`alias` text,
	`blocked` integer DEFAULT false NOT NULL,
	`models` text NOT NULL,
	`max_budget` real,
	`budget_duration` text,
	`rpm_limit` integer,
	`tpm_limit` integer,
	`metadata` text NOT NULL,
	`spend` real DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `organization_members` (
	`organization_id` text NOT NULL,
	`user_id` text NOT NULL,
	`user_role` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `organization_members_user_idx` ON `organization_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`organization_id` text PRIMARY KEY NOT NULL,
	`organization_alias` text,
	`models` text NOT NULL,
	`max_budget` real,
	`budget_duration` text,
	`rpm_limit` integer,
	`tpm_limit` integer,
	`metadata` text NOT NULL,
	`spend` real DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`max_budget_in_team` real,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `team_members_user_idx` ON `team_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`user_email` text,
	`user_alias` text,
	`user_role` text NOT NULL,
	`models` text NOT NULL,
	`max_budget` real,
	`budget_duration` text,
	`rpm_limit` integer,
	`tpm_limit` integer,
	`metadata` text NOT NULL,
	`spend` real DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `users_email_idx` ON `users` (`user_email`);--> statement-breakpoint
ALTER TABLE `keys` ADD `user_id` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `aliases` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `tags` text;--> statement-breakpoint
ALTER TABLE `keys` ADD `key_type` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `keys` ADD `allowed_routes` text;--> statement-breakpoint
CREATE INDEX `keys_user_idx` ON `keys` (`user_id`);--> statement-breakpoint
ALTER TABLE `teams` ADD `organization_id` text;--> statement-breakpoint
ALTER TABLE `teams` ADD `model_aliases` text;