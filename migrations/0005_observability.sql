CREATE TABLE `alert_state` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `export_dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`sink` text NOT NULL,
	`events` text NOT NULL,
	`error` text NOT NULL,
	`attempts` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `export_dead_letters_sink_idx` ON `export_dead_letters` (`sink`,`created_at`);--> statement-breakpoint
CREATE TABLE `metric_values` (
	`name` text NOT NULL,
	`labels` text NOT NULL,
	`le` text NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`name`, `labels`, `le`)
);
