ALTER TABLE `spend_daily` ADD `cache_hits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `spend_daily` ADD `saved_spend` real DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `spend_daily_key_idx` ON `spend_daily` (`api_key`);--> statement-breakpoint
ALTER TABLE `spend_daily_tags` ADD `cache_hits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `spend_daily_tags` ADD `saved_spend` real DEFAULT 0 NOT NULL;