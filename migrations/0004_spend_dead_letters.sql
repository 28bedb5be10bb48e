CREATE TABLE `spend_dead_letters` (
	`request_id` text PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`error` text NOT NULL,
	`attempts` integer NOT NULL,
	`created_at` integer NOT NULL
);
