use domain::notification::{Audience, Event, Notice};

use super::*;
use crate::test_databases;

fn notice(title: &str) -> Notice {
    Notice {
        event: Event::ExecutionFailed,
        title: title.into(),
        facts: vec![("Runbook".into(), "AWS-RestartEC2Instance".into())],
        path: "/automation/executions/x".into(),
        audience: Audience {
            users: vec!["ann".into()],
            groups: Vec::new(),
        },
        grant: String::new(),
    }
}

fn to(address: &str) -> NewDelivery {
    NewDelivery {
        channel: "email".into(),
        address: address.into(),
        recipient: "ann".into(),
    }
}

#[tokio::test]
async fn two_replicas_fan_out_and_send_each_delivery_once() {
    for base in test_databases::each("outbox").await {
        let (one, two) = (
            Outbox::new(&base.another_replica()),
            Outbox::new(&base.another_replica()),
        );
        one.enqueue(&notice("failed")).await.expect("written");

        // Both see the event; only the first claim writes its deliveries.
        let (seen_one, seen_two) = (
            one.waiting(10).await.expect("read"),
            two.waiting(10).await.expect("read"),
        );
        assert_eq!((seen_one.len(), seen_two.len()), (1, 1), "{}", base.kind());
        let event = &seen_one[0];
        let deliveries = [to("ann@example.com"), to("ann@example.org")];
        let first = one.fan_out(&event.id, event.created_at, &deliveries);
        let second = two.fan_out(&event.id, event.created_at, &deliveries);
        let (first, second) = tokio::join!(first, second);
        assert_eq!(
            [first.expect("claimed"), second.expect("claimed")]
                .iter()
                .filter(|claimed| **claimed)
                .count(),
            1,
            "{}",
            base.kind()
        );
        assert!(one.waiting(10).await.expect("read").is_empty());

        // Each due delivery is leased by one replica only; only the holder settles it.
        let due = one.due(10).await.expect("due");
        assert_eq!(due.len(), 2);
        let mut holders = Vec::new();
        for delivery in &due {
            let (a, b) = tokio::join!(
                one.lease(&delivery.id, 60_000),
                two.lease(&delivery.id, 60_000)
            );
            let (a, b) = (a.expect("lease"), b.expect("lease"));
            assert!(a ^ b, "{}", base.kind());
            holders.push(if a { (&one, &two) } else { (&two, &one) });
        }
        assert!(
            one.due(10).await.expect("due").is_empty(),
            "leased: not due"
        );
        let (holder, other) = holders[1];
        other
            .record(&due[1].id, true, "250 OK", &AfterAttempt::Sent)
            .await
            .expect("no-op");
        assert_eq!(
            one.deliveries(10)
                .await
                .expect("log")
                .iter()
                .filter(|d| d.status == "sent")
                .count(),
            0
        );

        // A retry is due again at its time; a sent or given-up delivery never again.
        let retry_at = now_millis() + 50;
        holders[0]
            .0
            .record(
                &due[0].id,
                false,
                "503 Service Unavailable",
                &AfterAttempt::RetryAt(retry_at),
            )
            .await
            .expect("recorded");
        holder
            .record(&due[1].id, true, "250 OK", &AfterAttempt::Sent)
            .await
            .expect("recorded");
        tokio::time::sleep(std::time::Duration::from_millis(80)).await;
        let again = one.due(10).await.expect("due");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        assert!(one.lease(&again[0].id, 60_000).await.expect("lease"));
        one.record(
            &again[0].id,
            false,
            "connection refused",
            &AfterAttempt::GiveUp,
        )
        .await
        .expect("recorded");
        assert!(one.due(10).await.expect("due").is_empty());

        let log = one.deliveries(10).await.expect("log");
        let statuses: Vec<(&str, usize)> = log
            .iter()
            .map(|d| (d.status.as_str(), d.attempts.len()))
            .collect();
        assert!(statuses.contains(&("sent", 1)), "{statuses:?}");
        assert!(statuses.contains(&("gave-up", 2)), "{statuses:?}");
        assert!(log.iter().all(|d| d.title == "failed"));
    }
}
