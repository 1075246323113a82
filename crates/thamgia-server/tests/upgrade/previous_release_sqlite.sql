-- A SQLite database as the previous release (schema 15) leaves it: the demo data,
-- twelve responses and two report edits pushed by one tablet (client 0xAB,
-- seqs 1-14). Made by running that release's server code, then sqlite3 .dump.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);
INSERT INTO _sqlx_migrations VALUES(1,'init','2026-12-05 12:46:03',1,X'ac3d15563481999550de64455abf87db70f28c2724c633e842bc5880fb81b49f7f20d40afad77ce07a59e3e689af26d4',1913232);
INSERT INTO _sqlx_migrations VALUES(2,'withdrawals and corrections','2026-12-05 12:46:03',1,X'8f135cb0e09f9fe1c31ba6245972ee6571dfe26e92010607d223463675ccf3ce5be4deff2efe18fe8973fea4453a2dad',1220859);
INSERT INTO _sqlx_migrations VALUES(3,'ward reports','2026-12-05 12:46:03',1,X'd2c1c0142410e7d0b922c3a66760e293c156b51fb6f71592bc269a94a1788a7f372ed7a624a020b01d7520ab173fddbc',1084719);
INSERT INTO _sqlx_migrations VALUES(4,'ward populations','2026-12-05 12:46:03',1,X'af2149b9ba41e9a4c42e19981882cc221f55d28764ea093639ce4a77e655732ed946527d921ceb09117564650a34bd76',784911);
INSERT INTO _sqlx_migrations VALUES(5,'forums','2026-12-05 12:46:03',1,X'36097b31aeac33848f2ecdaf52763028ac34b9dc9ae2f9f59b820a272d56ae6cff54362c9dcf01238b9a13895334eb70',1359081);
INSERT INTO _sqlx_migrations VALUES(6,'indicator targets','2026-12-05 12:46:03',1,X'b787abd7a8aaae88f9ee32003fffacf2d149c4c17e8b7796e801d592d17db3db68b41901c28f4c5cd8719f3173007dc3',857827);
INSERT INTO _sqlx_migrations VALUES(7,'changes by ward','2026-12-05 12:46:03',1,X'a92b054faaeb77e7269fe5256d2c2302aa336720150700bdf66a481dce2a7f30badd1038755f76409ee70874c1dc4e69',1129389);
INSERT INTO _sqlx_migrations VALUES(8,'accounts','2026-12-05 12:46:03',1,X'10a092087fa53298ead46d5e3d3166db9a014227305805243b41d4fd98c7b8f39bc95a26a2645252a5a3e5bf8d382526',1151693);
INSERT INTO _sqlx_migrations VALUES(9,'rejected record id','2026-12-05 12:46:03',1,X'1a79866e8a9d4b56d61ef2a9cf76c6fdd57632f2ee86b213d4b0b53cb2e928b1f74adbc660d6afc06284af4fd4c5e6b4',1139006);
INSERT INTO _sqlx_migrations VALUES(10,'audit log','2026-12-05 12:46:03',1,X'52671fcd664082999bbeae236c8d953165589e405db5dc9f7137da3cb1df8129379520ff48cb1c84ffdfdadf24f82847',2065747);
INSERT INTO _sqlx_migrations VALUES(11,'bounded quarantine','2026-12-05 12:46:03',1,X'e1d663d3cc30b722a9b199def2358d8c891e2a88528c418c032521b7ef62f73cb1cdbf1c32c0e339a489ba6fcc7fd159',3032178);
INSERT INTO _sqlx_migrations VALUES(12,'results cells','2026-12-05 12:46:03',1,X'0f72d5981f1d8645e5eb665700317a397d33e7678d78437b0ce00425b8cb7769eb7ac509b618ff696adb2836938aefd2',1776900);
INSERT INTO _sqlx_migrations VALUES(13,'themes','2026-12-05 12:46:03',1,X'bdea5273e7ad49b38ec850c3e028f3afda23c39a8dcce32ddf7417c3f53b62ffc7a7d1dcf55f14bab0e483cf57e2b45c',1219120);
INSERT INTO _sqlx_migrations VALUES(14,'population groups','2026-12-05 12:46:03',1,X'355ccea4e6fe46b1838efa553800025034b9d4f7ae211552c6ee1972b348f17b91251243bf7311d7f7028c924f6b58cf',1229295);
INSERT INTO _sqlx_migrations VALUES(15,'referrals','2026-12-05 12:46:03',1,X'4bd8f9755647407e7d6526cf01f1b628e33b899b9966b2ace04808668a631fad2d49c546cb08f74440b5a457ee5261cb',1517655);
CREATE TABLE surveys (
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    definition   TEXT    NOT NULL,
    published_at TEXT    NOT NULL,
    PRIMARY KEY (id, version)
);
INSERT INTO surveys VALUES('an-toan-truong-hoc-va-vui-choi',1,'{"id":"an-toan-truong-hoc-va-vui-choi","version":1,"title":{"vi":"An toàn ở trường học và chỗ vui chơi","en":"Safe at school and at play"},"description":{"vi":"Chào em! Chúng mình muốn nghe em kể về trường học, đường đi học và những chỗ em vui chơi. Ý kiến của em và các bạn sẽ được gửi tới Ủy ban nhân dân phường, xã, để người lớn làm cho nơi em sống an toàn hơn và có thêm chỗ vui chơi. Sau đó, các em sẽ được biết ý kiến của mình đã được trả lời thế nào. Không có câu trả lời nào đúng hay sai, em cứ nói điều em nghĩ. Em không phải trả lời câu nào em không muốn, và em có thể dừng lại bất cứ lúc nào. Chúng mình không ghi tên em, nên không ai biết đây là câu trả lời của em.","en":"Hello! We''d like to hear about your school, your way to school and the places where you play. Your ideas, and those of other children, will be sent to the People''s Committee of your ward or commune, so that grown-ups can make the place where you live safer and give you more places to play. Afterwards, you will be told what answer your ideas got. There are no right or wrong answers, so just say what you think. You don''t have to answer any question you don''t want to, and you can stop at any time. We don''t write down your name, so nobody will know these answers are yours."},"age_bands":["7-9","10-12","13-15"],"layout":"one_question_per_screen","items":[{"item":"question","id":"feel_safe_at_school","label":{"vi":"Khi ở trường, em cảm thấy an toàn đến mức nào?","en":"How safe do you feel when you are at school?"},"hint":{"vi":"Em chọn khuôn mặt giống cảm giác của em nhất. Không có câu trả lời đúng hay sai.","en":"Pick the face that is most like how you feel. There is no right or wrong answer."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Rất không an toàn","en":"Very unsafe"},{"vi":"Không an toàn","en":"Unsafe"},{"vi":"Lúc an toàn, lúc không","en":"Sometimes safe, sometimes not"},{"vi":"An toàn","en":"Safe"},{"vi":"Rất an toàn","en":"Very safe"}],"dont_know":true}},{"item":"question","id":"travel_to_school","label":{"vi":"Em thường đi đến trường bằng cách nào?","en":"How do you usually get to school?"},"hint":{"vi":"Em chọn cách em hay đi nhất.","en":"Choose the way you go most often."},"required":true,"kind":{"type":"single_choice","choices":[{"value":"walk","label":{"vi":"Đi bộ","en":"I walk"}},{"value":"bicycle","label":{"vi":"Đi xe đạp","en":"I ride a bike"}},{"value":"e_bike","label":{"vi":"Đi xe đạp điện","en":"I ride an electric bike"}},{"value":"motorbike_with_adult","label":{"vi":"Người lớn chở bằng xe máy","en":"A grown-up takes me on a motorbike"}},{"value":"bus","label":{"vi":"Đi xe buýt hoặc xe đưa đón của trường","en":"By bus or school bus"}},{"value":"car","label":{"vi":"Đi ô tô","en":"By car"}},{"value":"other","label":{"vi":"Cách khác","en":"Another way"}}]}},{"item":"question","id":"minutes_to_school","label":{"vi":"Em đi từ nhà đến trường mất khoảng bao nhiêu phút?","en":"About how many minutes does it take you to get from home to school?"},"hint":{"vi":"Em đoán gần đúng là được. Nếu không biết, em có thể bỏ qua câu này.","en":"A rough guess is fine. If you don''t know, you can skip this one."},"required":false,"kind":{"type":"number","min":0.0,"max":120.0,"integer":true},"relevant":"${travel_to_school} != ''''"},{"item":"question","id":"feel_safe_on_the_way","label":{"vi":"Trên đường đi học và đi học về, em cảm thấy an toàn đến mức nào?","en":"How safe do you feel on your way to and from school?"},"hint":{"vi":"Em chọn khuôn mặt giống cảm giác của em nhất.","en":"Pick the face that is most like how you feel."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Rất không an toàn","en":"Very unsafe"},{"vi":"Không an toàn","en":"Unsafe"},{"vi":"Lúc an toàn, lúc không","en":"Sometimes safe, sometimes not"},{"vi":"An toàn","en":"Safe"},{"vi":"Rất an toàn","en":"Very safe"}],"dont_know":true}},{"item":"question","id":"worry_on_the_way","label":{"vi":"Trên đường đi học, điều gì làm em lo nhất?","en":"On your way to school, what worries you the most?"},"required":false,"kind":{"type":"single_choice","choices":[{"value":"busy_fast_traffic","label":{"vi":"Xe cộ đông và đi nhanh","en":"Lots of traffic going fast"}},{"value":"hard_to_cross","label":{"vi":"Khó qua đường, không có vạch kẻ hay đèn cho người đi bộ","en":"It''s hard to cross the road: no zebra crossing or lights for people on foot"}},{"value":"no_pavement","label":{"vi":"Không có vỉa hè, hoặc vỉa hè bị chiếm để bán hàng, để xe","en":"There''s no pavement, or it''s full of stalls and parked motorbikes"}},{"value":"water_beside_road","label":{"vi":"Đường đi sát ao, hồ, kênh mương","en":"The road runs right next to ponds, lakes or canals"}},{"value":"loose_dogs","label":{"vi":"Chó thả rông","en":"Dogs running loose"}},{"value":"dark_or_strangers","label":{"vi":"Đường vắng, tối hoặc có người lạ làm em sợ","en":"Dark, empty streets or strangers who scare me"}},{"value":"nothing","label":{"vi":"Em không lo điều gì","en":"Nothing worries me"}},{"value":"other","label":{"vi":"Điều khác","en":"Something else"}}]}},{"item":"question","id":"teased_or_bullied","label":{"vi":"Từ đầu năm học đến giờ, có ai trêu chọc, bắt nạt hoặc làm em sợ ở trường hay trên đường đi học không?","en":"Since the start of this school year, has anyone teased you, bullied you or made you feel scared at school or on the way there?"},"hint":{"vi":"Em không cần nói đó là ai. Nếu không muốn trả lời, em chọn “Em không muốn nói” hoặc bỏ qua câu này cũng được.","en":"You don''t need to say who. If you''d rather not answer, you can choose “I''d rather not say” or skip this question."},"required":false,"kind":{"type":"single_choice","choices":[{"value":"no","label":{"vi":"Không có","en":"No"}},{"value":"a_few_times","label":{"vi":"Có, một vài lần","en":"Yes, once or a few times"}},{"value":"many_times","label":{"vi":"Có, nhiều lần","en":"Yes, many times"}},{"value":"prefer_not_to_say","label":{"vi":"Em không muốn nói","en":"I''d rather not say"}}]},"disclosure":["many_times"]},{"item":"question","id":"who_would_you_tell","label":{"vi":"Nếu có chuyện làm em sợ hoặc thấy không an toàn, em sẽ kể với ai trước tiên?","en":"If something made you scared or feel unsafe, who would you tell first?"},"hint":{"vi":"Tổng đài 111 là số điện thoại miễn phí, trẻ em gọi được bất cứ lúc nào khi cần giúp đỡ.","en":"111 is a free phone line that children can call at any time when they need help."},"required":false,"kind":{"type":"single_choice","choices":[{"value":"family","label":{"vi":"Bố mẹ hoặc người lớn trong nhà","en":"My parents or a grown-up at home"}},{"value":"teacher","label":{"vi":"Thầy cô giáo","en":"A teacher"}},{"value":"friend","label":{"vi":"Bạn bè","en":"A friend"}},{"value":"helpline_111","label":{"vi":"Gọi Tổng đài 111","en":"I''d call the 111 helpline"}},{"value":"police_or_ward","label":{"vi":"Công an hoặc cán bộ phường, xã","en":"The police or someone at the ward or commune office"}},{"value":"no_one","label":{"vi":"Em sẽ không kể với ai","en":"I wouldn''t tell anyone"}},{"value":"not_sure","label":{"vi":"Em chưa biết","en":"I''m not sure"}}]}},{"item":"question","id":"where_you_play","label":{"vi":"Ngoài giờ học, em hay chơi ở đâu nhất?","en":"Outside school hours, where do you play most?"},"required":true,"kind":{"type":"single_choice","choices":[{"value":"at_home","label":{"vi":"Trong nhà","en":"Inside my home"}},{"value":"alley_or_street","label":{"vi":"Trong ngõ, trên vỉa hè hoặc ven đường","en":"In the alley, on the pavement or by the road"}},{"value":"school_yard","label":{"vi":"Ở sân trường","en":"In the school yard"}},{"value":"community_yard","label":{"vi":"Ở sân nhà văn hoá thôn, tổ dân phố","en":"In the yard of the village or neighbourhood community hall"}},{"value":"park","label":{"vi":"Ở công viên, vườn hoa","en":"In a park or public garden"}},{"value":"paid_play_centre","label":{"vi":"Ở khu vui chơi mất tiền, như trong trung tâm thương mại","en":"At a play centre you pay for, like in a shopping centre"}},{"value":"near_water","label":{"vi":"Gần ao, hồ, sông, kênh mương","en":"Near a pond, lake, river or canal"}},{"value":"fields_or_empty_land","label":{"vi":"Ngoài cánh đồng hoặc bãi đất trống","en":"In the fields or on empty land"}},{"value":"other","label":{"vi":"Chỗ khác","en":"Somewhere else"}}]}},{"item":"question","id":"play_places_near_home","label":{"vi":"Em hài lòng đến mức nào với những chỗ vui chơi gần nhà em?","en":"How happy are you with the places to play near your home?"},"hint":{"vi":"Em nghĩ xem có đủ chỗ để chơi không, chỗ chơi có sạch và an toàn không, rồi chọn khuôn mặt giống cảm giác của em nhất.","en":"Think about whether there are enough places to play, and whether they are clean and safe, then pick the face most like how you feel."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Rất không hài lòng","en":"Very unhappy"},{"vi":"Không hài lòng","en":"Unhappy"},{"vi":"Bình thường","en":"Neither happy nor unhappy"},{"vi":"Hài lòng","en":"Happy"},{"vi":"Rất hài lòng","en":"Very happy"}],"dont_know":true}},{"item":"question","id":"deep_water_nearby","label":{"vi":"Gần nhà em hoặc trên đường em đi học có ao, hồ, sông, kênh mương hay hố nước sâu không?","en":"Is there a pond, lake, river, canal or deep pool of water near your home or on your way to school?"},"hint":{"vi":"Kể cả những hố đào ở công trình xây dựng có nước đọng.","en":"This includes holes on building sites that have filled with water."},"required":true,"kind":{"type":"yes_no"}},{"item":"question","id":"can_swim","label":{"vi":"Em đã biết bơi chưa?","en":"Can you swim?"},"hint":{"vi":"Biết bơi là em tự bơi được một đoạn mà không cần phao.","en":"Being able to swim means you can swim a little way on your own, without a float."},"required":false,"kind":{"type":"yes_no"},"relevant":"${deep_water_nearby} = ''yes''"},{"item":"question","id":"adults_listen","label":{"vi":"Khi em nói ý kiến của mình, người lớn lắng nghe em đến mức nào?","en":"When you share your ideas, how well do grown-ups listen to you?"},"hint":{"vi":"Em nghĩ về người lớn ở nhà, ở trường và ở phường, xã, rồi chọn khuôn mặt giống cảm giác của em nhất.","en":"Think about grown-ups at home, at school and in your ward or commune, then pick the face most like how you feel."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Không bao giờ lắng nghe","en":"They never listen"},{"vi":"Ít khi lắng nghe","en":"They rarely listen"},{"vi":"Thỉnh thoảng lắng nghe","en":"They sometimes listen"},{"vi":"Thường lắng nghe","en":"They often listen"},{"vi":"Luôn lắng nghe","en":"They always listen"}],"dont_know":true}},{"item":"question","id":"idea_to_be_safer","label":{"vi":"Theo em, cần làm gì để trường học, đường đi học và chỗ vui chơi an toàn hơn?","en":"What do you think would make your school, your way to school and your play places safer?"},"hint":{"vi":"Em có thể tự viết, hoặc nói để người lớn ghi lại giúp em.","en":"You can write it yourself, or say it and a grown-up will type it for you."},"required":false,"kind":{"type":"short_text","max_length":500}},{"item":"question","id":"message_to_ward_chair","label":{"vi":"Nếu được nói chuyện với Chủ tịch phường hoặc xã của em, em muốn đề nghị điều gì nhất?","en":"If you could talk to the chairperson of your ward or commune, what is the one thing you would ask for?"},"hint":{"vi":"Em hãy nói điều quan trọng nhất với em. Ý kiến của các em sẽ được gửi tới Ủy ban nhân dân phường, xã.","en":"Say the thing that matters most to you. Children''s ideas will be sent to the People''s Committee of the ward or commune."},"required":false,"kind":{"type":"short_text","max_length":500}}]}','2026-12-05T12:46:03.242Z');
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
, ward_code TEXT);
INSERT INTO changes VALUES(1,'survey','an-toan-truong-hoc-va-vui-choi@1','{"type":"survey","survey":{"id":"an-toan-truong-hoc-va-vui-choi","version":1,"title":{"vi":"An toàn ở trường học và chỗ vui chơi","en":"Safe at school and at play"},"description":{"vi":"Chào em! Chúng mình muốn nghe em kể về trường học, đường đi học và những chỗ em vui chơi. Ý kiến của em và các bạn sẽ được gửi tới Ủy ban nhân dân phường, xã, để người lớn làm cho nơi em sống an toàn hơn và có thêm chỗ vui chơi. Sau đó, các em sẽ được biết ý kiến của mình đã được trả lời thế nào. Không có câu trả lời nào đúng hay sai, em cứ nói điều em nghĩ. Em không phải trả lời câu nào em không muốn, và em có thể dừng lại bất cứ lúc nào. Chúng mình không ghi tên em, nên không ai biết đây là câu trả lời của em.","en":"Hello! We''d like to hear about your school, your way to school and the places where you play. Your ideas, and those of other children, will be sent to the People''s Committee of your ward or commune, so that grown-ups can make the place where you live safer and give you more places to play. Afterwards, you will be told what answer your ideas got. There are no right or wrong answers, so just say what you think. You don''t have to answer any question you don''t want to, and you can stop at any time. We don''t write down your name, so nobody will know these answers are yours."},"age_bands":["7-9","10-12","13-15"],"layout":"one_question_per_screen","items":[{"item":"question","id":"feel_safe_at_school","label":{"vi":"Khi ở trường, em cảm thấy an toàn đến mức nào?","en":"How safe do you feel when you are at school?"},"hint":{"vi":"Em chọn khuôn mặt giống cảm giác của em nhất. Không có câu trả lời đúng hay sai.","en":"Pick the face that is most like how you feel. There is no right or wrong answer."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Rất không an toàn","en":"Very unsafe"},{"vi":"Không an toàn","en":"Unsafe"},{"vi":"Lúc an toàn, lúc không","en":"Sometimes safe, sometimes not"},{"vi":"An toàn","en":"Safe"},{"vi":"Rất an toàn","en":"Very safe"}],"dont_know":true}},{"item":"question","id":"travel_to_school","label":{"vi":"Em thường đi đến trường bằng cách nào?","en":"How do you usually get to school?"},"hint":{"vi":"Em chọn cách em hay đi nhất.","en":"Choose the way you go most often."},"required":true,"kind":{"type":"single_choice","choices":[{"value":"walk","label":{"vi":"Đi bộ","en":"I walk"}},{"value":"bicycle","label":{"vi":"Đi xe đạp","en":"I ride a bike"}},{"value":"e_bike","label":{"vi":"Đi xe đạp điện","en":"I ride an electric bike"}},{"value":"motorbike_with_adult","label":{"vi":"Người lớn chở bằng xe máy","en":"A grown-up takes me on a motorbike"}},{"value":"bus","label":{"vi":"Đi xe buýt hoặc xe đưa đón của trường","en":"By bus or school bus"}},{"value":"car","label":{"vi":"Đi ô tô","en":"By car"}},{"value":"other","label":{"vi":"Cách khác","en":"Another way"}}]}},{"item":"question","id":"minutes_to_school","label":{"vi":"Em đi từ nhà đến trường mất khoảng bao nhiêu phút?","en":"About how many minutes does it take you to get from home to school?"},"hint":{"vi":"Em đoán gần đúng là được. Nếu không biết, em có thể bỏ qua câu này.","en":"A rough guess is fine. If you don''t know, you can skip this one."},"required":false,"kind":{"type":"number","min":0.0,"max":120.0,"integer":true},"relevant":"${travel_to_school} != ''''"},{"item":"question","id":"feel_safe_on_the_way","label":{"vi":"Trên đường đi học và đi học về, em cảm thấy an toàn đến mức nào?","en":"How safe do you feel on your way to and from school?"},"hint":{"vi":"Em chọn khuôn mặt giống cảm giác của em nhất.","en":"Pick the face that is most like how you feel."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Rất không an toàn","en":"Very unsafe"},{"vi":"Không an toàn","en":"Unsafe"},{"vi":"Lúc an toàn, lúc không","en":"Sometimes safe, sometimes not"},{"vi":"An toàn","en":"Safe"},{"vi":"Rất an toàn","en":"Very safe"}],"dont_know":true}},{"item":"question","id":"worry_on_the_way","label":{"vi":"Trên đường đi học, điều gì làm em lo nhất?","en":"On your way to school, what worries you the most?"},"required":false,"kind":{"type":"single_choice","choices":[{"value":"busy_fast_traffic","label":{"vi":"Xe cộ đông và đi nhanh","en":"Lots of traffic going fast"}},{"value":"hard_to_cross","label":{"vi":"Khó qua đường, không có vạch kẻ hay đèn cho người đi bộ","en":"It''s hard to cross the road: no zebra crossing or lights for people on foot"}},{"value":"no_pavement","label":{"vi":"Không có vỉa hè, hoặc vỉa hè bị chiếm để bán hàng, để xe","en":"There''s no pavement, or it''s full of stalls and parked motorbikes"}},{"value":"water_beside_road","label":{"vi":"Đường đi sát ao, hồ, kênh mương","en":"The road runs right next to ponds, lakes or canals"}},{"value":"loose_dogs","label":{"vi":"Chó thả rông","en":"Dogs running loose"}},{"value":"dark_or_strangers","label":{"vi":"Đường vắng, tối hoặc có người lạ làm em sợ","en":"Dark, empty streets or strangers who scare me"}},{"value":"nothing","label":{"vi":"Em không lo điều gì","en":"Nothing worries me"}},{"value":"other","label":{"vi":"Điều khác","en":"Something else"}}]}},{"item":"question","id":"teased_or_bullied","label":{"vi":"Từ đầu năm học đến giờ, có ai trêu chọc, bắt nạt hoặc làm em sợ ở trường hay trên đường đi học không?","en":"Since the start of this school year, has anyone teased you, bullied you or made you feel scared at school or on the way there?"},"hint":{"vi":"Em không cần nói đó là ai. Nếu không muốn trả lời, em chọn “Em không muốn nói” hoặc bỏ qua câu này cũng được.","en":"You don''t need to say who. If you''d rather not answer, you can choose “I''d rather not say” or skip this question."},"required":false,"kind":{"type":"single_choice","choices":[{"value":"no","label":{"vi":"Không có","en":"No"}},{"value":"a_few_times","label":{"vi":"Có, một vài lần","en":"Yes, once or a few times"}},{"value":"many_times","label":{"vi":"Có, nhiều lần","en":"Yes, many times"}},{"value":"prefer_not_to_say","label":{"vi":"Em không muốn nói","en":"I''d rather not say"}}]},"disclosure":["many_times"]},{"item":"question","id":"who_would_you_tell","label":{"vi":"Nếu có chuyện làm em sợ hoặc thấy không an toàn, em sẽ kể với ai trước tiên?","en":"If something made you scared or feel unsafe, who would you tell first?"},"hint":{"vi":"Tổng đài 111 là số điện thoại miễn phí, trẻ em gọi được bất cứ lúc nào khi cần giúp đỡ.","en":"111 is a free phone line that children can call at any time when they need help."},"required":false,"kind":{"type":"single_choice","choices":[{"value":"family","label":{"vi":"Bố mẹ hoặc người lớn trong nhà","en":"My parents or a grown-up at home"}},{"value":"teacher","label":{"vi":"Thầy cô giáo","en":"A teacher"}},{"value":"friend","label":{"vi":"Bạn bè","en":"A friend"}},{"value":"helpline_111","label":{"vi":"Gọi Tổng đài 111","en":"I''d call the 111 helpline"}},{"value":"police_or_ward","label":{"vi":"Công an hoặc cán bộ phường, xã","en":"The police or someone at the ward or commune office"}},{"value":"no_one","label":{"vi":"Em sẽ không kể với ai","en":"I wouldn''t tell anyone"}},{"value":"not_sure","label":{"vi":"Em chưa biết","en":"I''m not sure"}}]}},{"item":"question","id":"where_you_play","label":{"vi":"Ngoài giờ học, em hay chơi ở đâu nhất?","en":"Outside school hours, where do you play most?"},"required":true,"kind":{"type":"single_choice","choices":[{"value":"at_home","label":{"vi":"Trong nhà","en":"Inside my home"}},{"value":"alley_or_street","label":{"vi":"Trong ngõ, trên vỉa hè hoặc ven đường","en":"In the alley, on the pavement or by the road"}},{"value":"school_yard","label":{"vi":"Ở sân trường","en":"In the school yard"}},{"value":"community_yard","label":{"vi":"Ở sân nhà văn hoá thôn, tổ dân phố","en":"In the yard of the village or neighbourhood community hall"}},{"value":"park","label":{"vi":"Ở công viên, vườn hoa","en":"In a park or public garden"}},{"value":"paid_play_centre","label":{"vi":"Ở khu vui chơi mất tiền, như trong trung tâm thương mại","en":"At a play centre you pay for, like in a shopping centre"}},{"value":"near_water","label":{"vi":"Gần ao, hồ, sông, kênh mương","en":"Near a pond, lake, river or canal"}},{"value":"fields_or_empty_land","label":{"vi":"Ngoài cánh đồng hoặc bãi đất trống","en":"In the fields or on empty land"}},{"value":"other","label":{"vi":"Chỗ khác","en":"Somewhere else"}}]}},{"item":"question","id":"play_places_near_home","label":{"vi":"Em hài lòng đến mức nào với những chỗ vui chơi gần nhà em?","en":"How happy are you with the places to play near your home?"},"hint":{"vi":"Em nghĩ xem có đủ chỗ để chơi không, chỗ chơi có sạch và an toàn không, rồi chọn khuôn mặt giống cảm giác của em nhất.","en":"Think about whether there are enough places to play, and whether they are clean and safe, then pick the face most like how you feel."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Rất không hài lòng","en":"Very unhappy"},{"vi":"Không hài lòng","en":"Unhappy"},{"vi":"Bình thường","en":"Neither happy nor unhappy"},{"vi":"Hài lòng","en":"Happy"},{"vi":"Rất hài lòng","en":"Very happy"}],"dont_know":true}},{"item":"question","id":"deep_water_nearby","label":{"vi":"Gần nhà em hoặc trên đường em đi học có ao, hồ, sông, kênh mương hay hố nước sâu không?","en":"Is there a pond, lake, river, canal or deep pool of water near your home or on your way to school?"},"hint":{"vi":"Kể cả những hố đào ở công trình xây dựng có nước đọng.","en":"This includes holes on building sites that have filled with water."},"required":true,"kind":{"type":"yes_no"}},{"item":"question","id":"can_swim","label":{"vi":"Em đã biết bơi chưa?","en":"Can you swim?"},"hint":{"vi":"Biết bơi là em tự bơi được một đoạn mà không cần phao.","en":"Being able to swim means you can swim a little way on your own, without a float."},"required":false,"kind":{"type":"yes_no"},"relevant":"${deep_water_nearby} = ''yes''"},{"item":"question","id":"adults_listen","label":{"vi":"Khi em nói ý kiến của mình, người lớn lắng nghe em đến mức nào?","en":"When you share your ideas, how well do grown-ups listen to you?"},"hint":{"vi":"Em nghĩ về người lớn ở nhà, ở trường và ở phường, xã, rồi chọn khuôn mặt giống cảm giác của em nhất.","en":"Think about grown-ups at home, at school and in your ward or commune, then pick the face most like how you feel."},"required":true,"kind":{"type":"smiley","points":5,"labels":[{"vi":"Không bao giờ lắng nghe","en":"They never listen"},{"vi":"Ít khi lắng nghe","en":"They rarely listen"},{"vi":"Thỉnh thoảng lắng nghe","en":"They sometimes listen"},{"vi":"Thường lắng nghe","en":"They often listen"},{"vi":"Luôn lắng nghe","en":"They always listen"}],"dont_know":true}},{"item":"question","id":"idea_to_be_safer","label":{"vi":"Theo em, cần làm gì để trường học, đường đi học và chỗ vui chơi an toàn hơn?","en":"What do you think would make your school, your way to school and your play places safer?"},"hint":{"vi":"Em có thể tự viết, hoặc nói để người lớn ghi lại giúp em.","en":"You can write it yourself, or say it and a grown-up will type it for you."},"required":false,"kind":{"type":"short_text","max_length":500}},{"item":"question","id":"message_to_ward_chair","label":{"vi":"Nếu được nói chuyện với Chủ tịch phường hoặc xã của em, em muốn đề nghị điều gì nhất?","en":"If you could talk to the chairperson of your ward or commune, what is the one thing you would ask for?"},"hint":{"vi":"Em hãy nói điều quan trọng nhất với em. Ý kiến của các em sẽ được gửi tới Ủy ban nhân dân phường, xã.","en":"Say the thing that matters most to you. Children''s ideas will be sent to the People''s Committee of the ward or commune."},"required":false,"kind":{"type":"short_text","max_length":500}}]}}','2026-12-05T12:46:03.242Z',NULL);
INSERT INTO changes VALUES(2,'report_field','00004:2026-Q4','{"type":"report_field_edited","edit":{"report_id":"00004:2026-Q4","field":"indicator/4.1/value","content":{"type":"number","value":42.0},"stamp":{"hlc":{"wall_ms":1790000000013,"counter":0},"client_id":"00000000-0000-0000-0000-0000000000ab"},"author":"Nguyễn Thị Lan"}}','2026-11-20T09:00:00.000Z','00004');
INSERT INTO changes VALUES(3,'report_field','00004:2026-Q4','{"type":"report_field_edited","edit":{"report_id":"00004:2026-Q4","field":"indicator/4.1/value","content":{"type":"number","value":43.0},"stamp":{"hlc":{"wall_ms":1790000000014,"counter":0},"client_id":"00000000-0000-0000-0000-0000000000ab"},"author":"Nguyễn Thị Lan"}}','2026-11-20T09:00:00.000Z','00004');
CREATE TABLE clients (
    client_id  TEXT    PRIMARY KEY,
    last_seq   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);
INSERT INTO clients VALUES('00000000-0000-0000-0000-0000000000ab',14,'2026-11-20T09:00:00.000Z');
CREATE TABLE mutation_log (
    client_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    record_id   TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (client_id, seq)
);
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',1,'00000000-0000-0000-0000-000000000101','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',2,'00000000-0000-0000-0000-000000000102','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',3,'00000000-0000-0000-0000-000000000103','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',4,'00000000-0000-0000-0000-000000000104','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',5,'00000000-0000-0000-0000-000000000105','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',6,'00000000-0000-0000-0000-000000000106','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',7,'00000000-0000-0000-0000-000000000107','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',8,'00000000-0000-0000-0000-000000000108','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',9,'00000000-0000-0000-0000-000000000109','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',10,'00000000-0000-0000-0000-00000000010a','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',11,'00000000-0000-0000-0000-00000000010b','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',12,'00000000-0000-0000-0000-00000000010c','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',13,'00004:2026-Q4/indicator/4.1/value@1790000000013','{"type":"applied"}','2026-11-20T09:00:00.000Z');
INSERT INTO mutation_log VALUES('00000000-0000-0000-0000-0000000000ab',14,'00004:2026-Q4/indicator/4.1/value@1790000000014','{"type":"applied"}','2026-11-20T09:00:00.000Z');
CREATE TABLE responses (
    id             TEXT    PRIMARY KEY,
    survey_id      TEXT    NOT NULL,
    survey_version INTEGER NOT NULL,
    ward_code      TEXT    NOT NULL,
    age_band       TEXT    NOT NULL,
    sex            TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    content_sha256 TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    client_seq     INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    received_at    TEXT    NOT NULL
, corrects TEXT, superseded_by TEXT, results_quarter TEXT, results_revision BIGINT, referral_made_at TEXT);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000101','an-toan-truong-hoc-va-vui-choi',1,'00004','10-12','male','{"id":"00000000-0000-0000-0000-000000000101","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"10-12","sex":"male"},"consent":{"child_assent":{"method":"written","given_at":"2026-11-20T09:01:00Z"},"guardian_consent":{"method":"written","given_at":"2026-11-20T09:01:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":3},"deep_water_nearby":{"type":"yes_no","value":false},"feel_safe_at_school":{"type":"smiley","value":2},"feel_safe_on_the_way":{"type":"smiley","value":5},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 1: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 1: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":1.0},"play_places_near_home":{"type":"smiley","value":5},"teased_or_bullied":{"type":"choice","value":"many_times"},"travel_to_school":{"type":"choice","value":"e_bike"},"where_you_play":{"type":"choice","value":"other"},"who_would_you_tell":{"type":"choice","value":"family"},"worry_on_the_way":{"type":"choice","value":"dark_or_strangers"}},"status":"completed","created_at":"2026-11-20T09:01:00Z","updated_at":"2026-11-20T09:01:00Z"}','e224e855bbcddaf3f92dde33bd3b871783626d59451f3ddc99806c6cb8647b05','00000000-0000-0000-0000-0000000000ab',1,'2026-11-20T09:01:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',1,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000102','an-toan-truong-hoc-va-vui-choi',1,'00004','13-15','not_stated','{"id":"00000000-0000-0000-0000-000000000102","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"13-15","sex":"not_stated"},"consent":{"child_assent":{"method":"verbal","given_at":"2026-11-20T09:02:00Z"},"guardian_consent":{"method":"verbal","given_at":"2026-11-20T09:02:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":4},"can_swim":{"type":"yes_no","value":true},"deep_water_nearby":{"type":"yes_no","value":true},"feel_safe_at_school":{"type":"smiley","value":3},"feel_safe_on_the_way":{"type":"smiley","value":1},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 2: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 2: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":2.0},"play_places_near_home":{"type":"smiley","value":1},"teased_or_bullied":{"type":"choice","value":"prefer_not_to_say"},"travel_to_school":{"type":"choice","value":"motorbike_with_adult"},"where_you_play":{"type":"choice","value":"at_home"},"who_would_you_tell":{"type":"choice","value":"teacher"},"worry_on_the_way":{"type":"choice","value":"nothing"}},"status":"completed","created_at":"2026-11-20T09:02:00Z","updated_at":"2026-11-20T09:02:00Z"}','d5a339d55c60b564f3693872bee548d06cac76e581f7accb72ec1a7005950f22','00000000-0000-0000-0000-0000000000ab',2,'2026-11-20T09:02:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',2,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000103','an-toan-truong-hoc-va-vui-choi',1,'00004','7-9','female','{"id":"00000000-0000-0000-0000-000000000103","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"7-9","sex":"female"},"consent":{"child_assent":{"method":"written","given_at":"2026-11-20T09:03:00Z"},"guardian_consent":{"method":"written","given_at":"2026-11-20T09:03:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":5},"deep_water_nearby":{"type":"yes_no","value":false},"feel_safe_at_school":{"type":"smiley","value":4},"feel_safe_on_the_way":{"type":"smiley","value":2},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 3: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 3: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":3.0},"play_places_near_home":{"type":"smiley","value":2},"teased_or_bullied":{"type":"choice","value":"no"},"travel_to_school":{"type":"choice","value":"bus"},"where_you_play":{"type":"choice","value":"alley_or_street"},"who_would_you_tell":{"type":"choice","value":"friend"},"worry_on_the_way":{"type":"choice","value":"other"}},"status":"completed","created_at":"2026-11-20T09:03:00Z","updated_at":"2026-11-20T09:03:00Z"}','a4920d094ebefceb968190f6dec59358638629b63766187568b5c737730c8841','00000000-0000-0000-0000-0000000000ab',3,'2026-11-20T09:03:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',3,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000104','an-toan-truong-hoc-va-vui-choi',1,'00004','10-12','male','{"id":"00000000-0000-0000-0000-000000000104","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"10-12","sex":"male"},"consent":{"child_assent":{"method":"verbal","given_at":"2026-11-20T09:04:00Z"},"guardian_consent":{"method":"verbal","given_at":"2026-11-20T09:04:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":1},"can_swim":{"type":"yes_no","value":true},"deep_water_nearby":{"type":"yes_no","value":true},"feel_safe_at_school":{"type":"smiley","value":5},"feel_safe_on_the_way":{"type":"smiley","value":3},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 4: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 4: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":4.0},"play_places_near_home":{"type":"smiley","value":3},"teased_or_bullied":{"type":"choice","value":"a_few_times"},"travel_to_school":{"type":"choice","value":"car"},"where_you_play":{"type":"choice","value":"school_yard"},"who_would_you_tell":{"type":"choice","value":"helpline_111"},"worry_on_the_way":{"type":"choice","value":"busy_fast_traffic"}},"status":"completed","created_at":"2026-11-20T09:04:00Z","updated_at":"2026-11-20T09:04:00Z"}','2015601b6b32fdeb99089905136a20300138605c747a9030392dd136c9fb0502','00000000-0000-0000-0000-0000000000ab',4,'2026-11-20T09:04:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',4,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000105','an-toan-truong-hoc-va-vui-choi',1,'00004','13-15','not_stated','{"id":"00000000-0000-0000-0000-000000000105","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"13-15","sex":"not_stated"},"consent":{"child_assent":{"method":"written","given_at":"2026-11-20T09:05:00Z"},"guardian_consent":{"method":"written","given_at":"2026-11-20T09:05:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":2},"deep_water_nearby":{"type":"yes_no","value":false},"feel_safe_at_school":{"type":"smiley","value":1},"feel_safe_on_the_way":{"type":"smiley","value":4},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 5: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 5: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":5.0},"play_places_near_home":{"type":"smiley","value":4},"teased_or_bullied":{"type":"choice","value":"many_times"},"travel_to_school":{"type":"choice","value":"other"},"where_you_play":{"type":"choice","value":"community_yard"},"who_would_you_tell":{"type":"choice","value":"police_or_ward"},"worry_on_the_way":{"type":"choice","value":"hard_to_cross"}},"status":"completed","created_at":"2026-11-20T09:05:00Z","updated_at":"2026-11-20T09:05:00Z"}','13b0e289a5f0dfe470c7f2dc7da7ac5d83b783963e529ebde0d5c9376ea2a8f9','00000000-0000-0000-0000-0000000000ab',5,'2026-11-20T09:05:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',5,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000106','an-toan-truong-hoc-va-vui-choi',1,'00004','7-9','female','{"id":"00000000-0000-0000-0000-000000000106","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"7-9","sex":"female"},"consent":{"child_assent":{"method":"verbal","given_at":"2026-11-20T09:06:00Z"},"guardian_consent":{"method":"verbal","given_at":"2026-11-20T09:06:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":3},"can_swim":{"type":"yes_no","value":true},"deep_water_nearby":{"type":"yes_no","value":true},"feel_safe_at_school":{"type":"smiley","value":2},"feel_safe_on_the_way":{"type":"smiley","value":5},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 6: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 6: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":6.0},"play_places_near_home":{"type":"smiley","value":5},"teased_or_bullied":{"type":"choice","value":"prefer_not_to_say"},"travel_to_school":{"type":"choice","value":"walk"},"where_you_play":{"type":"choice","value":"park"},"who_would_you_tell":{"type":"choice","value":"no_one"},"worry_on_the_way":{"type":"choice","value":"no_pavement"}},"status":"completed","created_at":"2026-11-20T09:06:00Z","updated_at":"2026-11-20T09:06:00Z"}','73083f0307bf33b3dd5f16e1c6a78e2180d65fb0e35d990a51d152a00d4d9904','00000000-0000-0000-0000-0000000000ab',6,'2026-11-20T09:06:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',6,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000107','an-toan-truong-hoc-va-vui-choi',1,'00004','10-12','male','{"id":"00000000-0000-0000-0000-000000000107","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"10-12","sex":"male"},"consent":{"child_assent":{"method":"written","given_at":"2026-11-20T09:07:00Z"},"guardian_consent":{"method":"written","given_at":"2026-11-20T09:07:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":4},"deep_water_nearby":{"type":"yes_no","value":false},"feel_safe_at_school":{"type":"smiley","value":3},"feel_safe_on_the_way":{"type":"smiley","value":1},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 7: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 7: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":7.0},"play_places_near_home":{"type":"smiley","value":1},"teased_or_bullied":{"type":"choice","value":"no"},"travel_to_school":{"type":"choice","value":"bicycle"},"where_you_play":{"type":"choice","value":"paid_play_centre"},"who_would_you_tell":{"type":"choice","value":"not_sure"},"worry_on_the_way":{"type":"choice","value":"water_beside_road"}},"status":"completed","created_at":"2026-11-20T09:07:00Z","updated_at":"2026-11-20T09:07:00Z"}','9cecfddf3fecf06a8adbe2d93afd6ed1dbe05a420fbbaddc00a349ec38d38c6a','00000000-0000-0000-0000-0000000000ab',7,'2026-11-20T09:07:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',7,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000108','an-toan-truong-hoc-va-vui-choi',1,'00004','13-15','not_stated','{"id":"00000000-0000-0000-0000-000000000108","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"13-15","sex":"not_stated"},"consent":{"child_assent":{"method":"verbal","given_at":"2026-11-20T09:08:00Z"},"guardian_consent":{"method":"verbal","given_at":"2026-11-20T09:08:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":5},"can_swim":{"type":"yes_no","value":true},"deep_water_nearby":{"type":"yes_no","value":true},"feel_safe_at_school":{"type":"smiley","value":4},"feel_safe_on_the_way":{"type":"smiley","value":2},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 8: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 8: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":8.0},"play_places_near_home":{"type":"smiley","value":2},"teased_or_bullied":{"type":"choice","value":"a_few_times"},"travel_to_school":{"type":"choice","value":"e_bike"},"where_you_play":{"type":"choice","value":"near_water"},"who_would_you_tell":{"type":"choice","value":"family"},"worry_on_the_way":{"type":"choice","value":"loose_dogs"}},"status":"completed","created_at":"2026-11-20T09:08:00Z","updated_at":"2026-11-20T09:08:00Z"}','730952d7fe427ef1522b5ea88f42202b1645f490248dcdc6b43fd9222a037b97','00000000-0000-0000-0000-0000000000ab',8,'2026-11-20T09:08:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',8,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-000000000109','an-toan-truong-hoc-va-vui-choi',1,'00004','7-9','female','{"id":"00000000-0000-0000-0000-000000000109","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"7-9","sex":"female"},"consent":{"child_assent":{"method":"written","given_at":"2026-11-20T09:09:00Z"},"guardian_consent":{"method":"written","given_at":"2026-11-20T09:09:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":1},"deep_water_nearby":{"type":"yes_no","value":false},"feel_safe_at_school":{"type":"smiley","value":5},"feel_safe_on_the_way":{"type":"smiley","value":3},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 9: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 9: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":9.0},"play_places_near_home":{"type":"smiley","value":3},"teased_or_bullied":{"type":"choice","value":"many_times"},"travel_to_school":{"type":"choice","value":"motorbike_with_adult"},"where_you_play":{"type":"choice","value":"fields_or_empty_land"},"who_would_you_tell":{"type":"choice","value":"teacher"},"worry_on_the_way":{"type":"choice","value":"dark_or_strangers"}},"status":"completed","created_at":"2026-11-20T09:09:00Z","updated_at":"2026-11-20T09:09:00Z"}','1e34728ef42f79061fe2ac374c29e73722ca81039ffe87db81c30005dd60eafc','00000000-0000-0000-0000-0000000000ab',9,'2026-11-20T09:09:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',9,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-00000000010a','an-toan-truong-hoc-va-vui-choi',1,'00004','10-12','male','{"id":"00000000-0000-0000-0000-00000000010a","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"10-12","sex":"male"},"consent":{"child_assent":{"method":"verbal","given_at":"2026-11-20T09:10:00Z"},"guardian_consent":{"method":"verbal","given_at":"2026-11-20T09:10:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":2},"can_swim":{"type":"yes_no","value":true},"deep_water_nearby":{"type":"yes_no","value":true},"feel_safe_at_school":{"type":"smiley","value":1},"feel_safe_on_the_way":{"type":"smiley","value":4},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 10: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 10: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":10.0},"play_places_near_home":{"type":"smiley","value":4},"teased_or_bullied":{"type":"choice","value":"prefer_not_to_say"},"travel_to_school":{"type":"choice","value":"bus"},"where_you_play":{"type":"choice","value":"other"},"who_would_you_tell":{"type":"choice","value":"friend"},"worry_on_the_way":{"type":"choice","value":"nothing"}},"status":"completed","created_at":"2026-11-20T09:10:00Z","updated_at":"2026-11-20T09:10:00Z"}','57c904d7e99efa4e3f5189cd2886e9ff4815180ac0bb832cb99bad4b71cc540a','00000000-0000-0000-0000-0000000000ab',10,'2026-11-20T09:10:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',10,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-00000000010b','an-toan-truong-hoc-va-vui-choi',1,'00004','13-15','not_stated','{"id":"00000000-0000-0000-0000-00000000010b","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"13-15","sex":"not_stated"},"consent":{"child_assent":{"method":"written","given_at":"2026-11-20T09:11:00Z"},"guardian_consent":{"method":"written","given_at":"2026-11-20T09:11:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":3},"deep_water_nearby":{"type":"yes_no","value":false},"feel_safe_at_school":{"type":"smiley","value":2},"feel_safe_on_the_way":{"type":"smiley","value":5},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 11: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 11: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":11.0},"play_places_near_home":{"type":"smiley","value":5},"teased_or_bullied":{"type":"choice","value":"no"},"travel_to_school":{"type":"choice","value":"car"},"where_you_play":{"type":"choice","value":"at_home"},"who_would_you_tell":{"type":"choice","value":"helpline_111"},"worry_on_the_way":{"type":"choice","value":"other"}},"status":"completed","created_at":"2026-11-20T09:11:00Z","updated_at":"2026-11-20T09:11:00Z"}','d45293b1114435538d9e79cf7980dfdadbbbe1d9806a57def35323d349961d84','00000000-0000-0000-0000-0000000000ab',11,'2026-11-20T09:11:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',11,NULL);
INSERT INTO responses VALUES('00000000-0000-0000-0000-00000000010c','an-toan-truong-hoc-va-vui-choi',1,'00004','7-9','female','{"id":"00000000-0000-0000-0000-00000000010c","survey_id":"an-toan-truong-hoc-va-vui-choi","survey_version":1,"ward_code":"00004","participant":{"age_band":"7-9","sex":"female"},"consent":{"child_assent":{"method":"verbal","given_at":"2026-11-20T09:12:00Z"},"guardian_consent":{"method":"verbal","given_at":"2026-11-20T09:12:00Z"}},"answers":{"adults_listen":{"type":"smiley","value":4},"can_swim":{"type":"yes_no","value":true},"deep_water_nearby":{"type":"yes_no","value":true},"feel_safe_at_school":{"type":"smiley","value":3},"feel_safe_on_the_way":{"type":"smiley","value":1},"idea_to_be_safer":{"type":"text","value":"Ý kiến số 12: cần thêm sân chơi an toàn"},"message_to_ward_chair":{"type":"text","value":"Ý kiến số 12: cần thêm sân chơi an toàn"},"minutes_to_school":{"type":"number","value":12.0},"play_places_near_home":{"type":"smiley","value":1},"teased_or_bullied":{"type":"choice","value":"a_few_times"},"travel_to_school":{"type":"choice","value":"other"},"where_you_play":{"type":"choice","value":"alley_or_street"},"who_would_you_tell":{"type":"choice","value":"police_or_ward"},"worry_on_the_way":{"type":"choice","value":"busy_fast_traffic"}},"status":"completed","created_at":"2026-11-20T09:12:00Z","updated_at":"2026-11-20T09:12:00Z"}','b07b62aae4bc3611b78b25e27d7405de24c84b24312586879bddb558e585cc36','00000000-0000-0000-0000-0000000000ab',12,'2026-11-20T09:12:00.000Z','2026-11-20T09:00:00.000Z',NULL,NULL,'2026-Q4',12,NULL);
CREATE TABLE response_conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id    TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    content_sha256 TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    client_seq     INTEGER NOT NULL,
    received_at    TEXT    NOT NULL,
    UNIQUE (response_id, content_sha256)
);
CREATE TABLE rejected_mutations (
    client_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    reasons     TEXT    NOT NULL,
    received_at TEXT    NOT NULL, record_id TEXT, sent_by TEXT, kind TEXT, ward_code TEXT, payload_bytes INTEGER, payload_sha256 TEXT, payload_complete INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (client_id, seq)
);
CREATE TABLE withdrawals (
    response_id    TEXT    PRIMARY KEY,
    survey_id      TEXT,
    survey_version INTEGER,
    ward_code      TEXT,
    withdrawn_at   TEXT    NOT NULL,
    received_at    TEXT    NOT NULL,
    source         TEXT    NOT NULL
);
CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    ward_code         TEXT NOT NULL,
    period            TEXT NOT NULL,
    status            TEXT NOT NULL,
    status_changed_at TEXT NOT NULL
);
INSERT INTO reports VALUES('00004:2026-Q4','00004','2026-Q4','draft','2026-11-20T09:00:00.000Z');
CREATE TABLE report_edits (
    report_id   TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    wall_ms     INTEGER NOT NULL,
    counter     INTEGER NOT NULL,
    client_id   TEXT    NOT NULL,
    edit        TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (report_id, field, wall_ms, counter, client_id, edit)
);
INSERT INTO report_edits VALUES('00004:2026-Q4','indicator/4.1/value',1790000000013,0,'00000000-0000-0000-0000-0000000000ab','{"report_id":"00004:2026-Q4","field":"indicator/4.1/value","content":{"type":"number","value":42.0},"stamp":{"hlc":{"wall_ms":1790000000013,"counter":0},"client_id":"00000000-0000-0000-0000-0000000000ab"},"author":"Nguyễn Thị Lan"}','2026-11-20T09:00:00.000Z');
INSERT INTO report_edits VALUES('00004:2026-Q4','indicator/4.1/value',1790000000014,0,'00000000-0000-0000-0000-0000000000ab','{"report_id":"00004:2026-Q4","field":"indicator/4.1/value","content":{"type":"number","value":43.0},"stamp":{"hlc":{"wall_ms":1790000000014,"counter":0},"client_id":"00000000-0000-0000-0000-0000000000ab"},"author":"Nguyễn Thị Lan"}','2026-11-20T09:00:00.000Z');
CREATE TABLE ward_populations (
    ward_code     TEXT    NOT NULL,
    year          INTEGER NOT NULL,
    children_7_15 INTEGER NOT NULL,
    updated_at    TEXT    NOT NULL, groups TEXT,
    PRIMARY KEY (ward_code, year)
);
CREATE TABLE forums (
    id             TEXT PRIMARY KEY,
    ward_code      TEXT NOT NULL,
    held_on        TEXT NOT NULL,
    content        TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    corrects       TEXT,
    superseded_by  TEXT
);
CREATE TABLE forum_conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    forum_id       TEXT NOT NULL,
    content        TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    UNIQUE (forum_id, content_sha256)
);
CREATE TABLE recommendations (
    id       TEXT PRIMARY KEY,
    forum_id TEXT NOT NULL,
    content  TEXT NOT NULL
);
CREATE TABLE recommendation_answers (
    recommendation_id TEXT PRIMARY KEY,
    content           TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);
CREATE TABLE child_feedback (
    recommendation_id TEXT PRIMARY KEY,
    content           TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);
CREATE TABLE indicator_targets (
    code         TEXT    NOT NULL,
    jurisdiction TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    value        REAL    NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (code, jurisdiction, year)
);
CREATE TABLE indicator_target_sets (
    code       TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL
);
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,      -- uuid
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,         -- collector | ward_officer | city_officer
    ward_code     TEXT,                  -- NULL for city officers
    password_hash TEXT NOT NULL,         -- argon2 PHC string
    active        INTEGER NOT NULL,      -- 1 or 0 (BIGINT on Postgres)
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE TABLE device_tokens (
    id           TEXT PRIMARY KEY,       -- uuid shown to city officers
    token_sha256 TEXT NOT NULL UNIQUE,   -- the token itself is never stored
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    device_label TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,      -- RFC 3339, UTC, milliseconds
    actor      TEXT,                  -- user name, or the typed name's prefix
    actor_role TEXT,                  -- collector | ward_officer | city_officer
    action     TEXT    NOT NULL,      -- sign_in, export_responses, …
    ward_code  TEXT,
    target     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    CHECK (length(actor) <= 64),
    CHECK (length(action) <= 64),
    CHECK (length(ward_code) <= 16),
    CHECK (length(target) <= 160),
    CHECK (length(detail) <= 200)
);
CREATE TABLE results_cells (
    survey_id TEXT   NOT NULL,
    ward_code TEXT   NOT NULL,
    quarter   TEXT   NOT NULL,
    revision  BIGINT NOT NULL,
    removals  BIGINT NOT NULL,
    PRIMARY KEY (survey_id, ward_code, quarter)
);
INSERT INTO results_cells VALUES('an-toan-truong-hoc-va-vui-choi','00004','2026-Q4',12,0);
CREATE TABLE themes (
    id         TEXT PRIMARY KEY,
    survey_id  TEXT NOT NULL,
    label      TEXT NOT NULL,
    label_key  TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (length(label) <= 80),
    UNIQUE (survey_id, label_key)
);
CREATE TABLE answer_tags (
    theme_id    TEXT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    ward_code   TEXT NOT NULL,
    tagged_by   TEXT NOT NULL,
    tagged_at   TEXT NOT NULL,
    PRIMARY KEY (theme_id, response_id, question_id)
);
CREATE TABLE referral_follow_ups (
    response_id      TEXT PRIMARY KEY,
    followed_up_at   TEXT NOT NULL,
    followed_up_by   TEXT NOT NULL
);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('changes',3);
CREATE INDEX responses_by_survey ON responses (survey_id, survey_version);
CREATE INDEX responses_by_ward ON responses (ward_code);
CREATE INDEX report_edits_by_report ON report_edits (report_id);
CREATE INDEX forums_by_ward ON forums (ward_code);
CREATE INDEX changes_by_ward ON changes (ward_code, seq);
CREATE INDEX device_tokens_by_account ON device_tokens (account_id);
CREATE INDEX rejected_mutations_by_record ON rejected_mutations (record_id);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE INDEX responses_by_cell ON responses (survey_id, ward_code, results_quarter, results_revision);
CREATE INDEX answer_tags_by_response ON answer_tags (response_id);
CREATE INDEX responses_with_referral ON responses (ward_code) WHERE referral_made_at IS NOT NULL;
COMMIT;
