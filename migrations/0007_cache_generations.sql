CREATE TABLE `cache_generations` (
	`namespace` text PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `keys` ADD `allowed_cache_controls` text;