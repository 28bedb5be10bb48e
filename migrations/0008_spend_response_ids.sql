ALTER TABLE `spend_logs` ADD `response_id` text;--> statement-breakpoint
CREATE INDEX `spend_logs_response_id_idx` ON `spend_logs` (`response_id`);