import Foundation

/// Place names, brand syllables and after-sales trades for `RegisterGenerator`: real cities with
/// their districts, administrative division codes (the 3rd–8th characters of a unified social
/// credit code) and main roads, so that synthetic organisations read like real ones
/// ("杭州恒达家电销售有限公司", "浙江省杭州市西湖区文三路 128 号").
///
/// The data is kept as compact text tables, parsed once on first use.
enum ChineseNames {
    struct District: Sendable {
        let name: String
        /// GB/T 2260 code of the registration authority's division.
        let code: String
    }

    struct City: Sendable {
        /// Empty for the four municipalities.
        let province: String
        /// Without 市: "杭州".
        let name: String
        /// ASCII abbreviation, for e-mail domains.
        let pinyin: String
        /// Regional characters used in brand names (蜀 for 成都), with their pinyin.
        let tags: [Syllable]
        let districts: [District]
        let roads: [String]
        /// Relative share of organisations.
        let weight: Int

        /// "浙江省杭州市", "北京市".
        var prefix: String { province + name + "市" }
    }

    struct Syllable: Sendable {
        let text: String
        let pinyin: String
    }

    struct Industry: Sendable {
        /// What follows the brand in a company name: 家电销售, 汽车销售服务…
        let nameWords: [String]
        /// What the after-sales service is for: 家用电器…
        let object: String
        /// Service items listed in the scope, in their usual order.
        let services: [String]
        /// Whether the trade sells what it services ("销售及售后服务").
        let sells: Bool
        let weight: Int
    }

    // MARK: Cities

    /// province|city|pinyin|tags|districts|roads|weight
    private static let cityTable = """
    |北京|bj|京:jing,燕:yan|东城区:110101,西城区:110102,朝阳区:110105,丰台区:110106,海淀区:110108,大兴区:110115|建国路,中关村大街,朝阳北路,西直门外大街,丰台北路,西三环北路,京顺路|9
    |上海|sh|申:shen,沪:hu|黄浦区:310101,徐汇区:310104,长宁区:310105,静安区:310106,普陀区:310107,闵行区:310112,嘉定区:310114,浦东新区:310115|南京西路,漕溪北路,延安西路,张江路,世纪大道,虹梅路,曹安公路,真北路|10
    |天津|tj|津:jin|和平区:120101,河西区:120103,南开区:120104,滨海新区:120116|南京路,友谊路,卫津路,黄海路|4
    |重庆|cq|渝:yu,巴:ba|渝中区:500103,江北区:500105,九龙坡区:500107,南岸区:500108,渝北区:500112|民族路,建新北路,渝州路,南坪西路,金开大道|5
    浙江省|杭州|hz|杭:hang,浙:zhe|上城区:330102,拱墅区:330105,西湖区:330106,滨江区:330108,萧山区:330109,余杭区:330110|文三路,天目山路,莫干山路,江南大道,延安路,文一西路,市心中路|8
    浙江省|宁波|nb|甬:yong|海曙区:330203,江北区:330205,北仑区:330206,鄞州区:330212|中山西路,人民路,新大路,四明中路,天童南路|5
    浙江省|温州|wz|瓯:ou|鹿城区:330302,龙湾区:330303,瓯海区:330304|人民中路,车站大道,温州大道|3
    浙江省|嘉兴|jx|禾:he|南湖区:330402,秀洲区:330411|中山东路,秀洲路,广益路|2
    浙江省|绍兴|sx|越:yue|越城区:330602,柯桥区:330603|解放北路,笛扬路,中兴中路|2
    浙江省|金华|jh|婺:wu|婺城区:330702,金东区:330703|八一南街,李渔路,宾虹路|2
    浙江省|台州|tz|台:tai|椒江区:331002,黄岩区:331003,路桥区:331004|市府大道,东海大道,腾达路|2
    江苏省|南京|nj|宁:ning,金陵:jinling|玄武区:320102,秦淮区:320104,建邺区:320105,鼓楼区:320106,江宁区:320115|中山路,汉中路,江东中路,双龙大道,中山东路,龙蟠路|6
    江苏省|苏州|suz|苏:su,吴:wu|虎丘区:320505,吴中区:320506,相城区:320507,姑苏区:320508,吴江区:320509|干将路,东吴北路,金门路,狮山路,人民路,苏州大道|6
    江苏省|无锡|wx|锡:xi|滨湖区:320211,梁溪区:320213,新吴区:320214|中山路,太湖大道,长江路,人民中路|4
    江苏省|常州|cz|常:chang|天宁区:320402,钟楼区:320404,新北区:320411,武进区:320412|延陵西路,通江中路,晋陵中路|3
    江苏省|南通|nt|通:tong|崇川区:320602,通州区:320612|工农路,人民中路,世纪大道|2
    江苏省|徐州|xz|彭:peng|鼓楼区:320302,云龙区:320303,泉山区:320311|淮海东路,解放南路,中山北路|2
    广东省|广州|gz|穗:sui,粤:yue|荔湾区:440103,越秀区:440104,海珠区:440105,天河区:440106,白云区:440111,番禺区:440113|天河路,环市东路,新港中路,广州大道北,黄埔大道西,中山五路|9
    广东省|深圳|sz|鹏:peng,深:shen|罗湖区:440303,福田区:440304,南山区:440305,宝安区:440306,龙岗区:440307|深南大道,科技园南路,宝安大道,龙岗大道,福华三路,华强北路|9
    广东省|东莞|dg|莞:guan|南城街道:441900,东城街道:441900,长安镇:441900,虎门镇:441900|鸿福路,东纵大道,长安中路,虎门大道|4
    广东省|佛山|fs|禅:chan|禅城区:440604,南海区:440605,顺德区:440606|季华五路,桂澜北路,德胜东路|4
    广东省|珠海|zh|珠:zhu|香洲区:440402,金湾区:440404|九洲大道,情侣中路,珠海大道|2
    广东省|中山|zs|香山:xiangshan|石岐街道:442000,东区街道:442000,小榄镇:442000|孙文中路,兴中道,博爱六路|2
    广东省|惠州|huz|惠:hui|惠城区:441302,惠阳区:441303|文昌一路,演达大道,麦地路|2
    广东省|汕头|st|汕:shan|龙湖区:440507,金平区:440511|长平路,金砂路|1
    四川省|成都|cd|蜀:shu,蓉:rong|锦江区:510104,青羊区:510105,金牛区:510106,武侯区:510107,成华区:510108|人民南路,蜀都大道,天府大道,红星路,人民北路|6
    四川省|绵阳|my|绵:mian|涪城区:510703,游仙区:510704|临园路,剑南路|1
    湖北省|武汉|wh|楚:chu,江城:jiangcheng|江岸区:420102,江汉区:420103,汉阳区:420105,武昌区:420106,洪山区:420111|解放大道,中南路,珞喻路,汉阳大道,建设大道|6
    湖北省|宜昌|yic|夷陵:yiling|西陵区:420502,伍家岗区:420503|东山大道,沿江大道|1
    湖南省|长沙|cs|湘:xiang|芙蓉区:430102,天心区:430103,岳麓区:430104,开福区:430105,雨花区:430111|五一大道,芙蓉中路,麓山南路,韶山北路,劳动西路|5
    陕西省|西安|xa|秦:qin,长安:changan|新城区:610102,碑林区:610103,莲湖区:610104,未央区:610112,雁塔区:610113|长安北路,高新路,未央路,含光路,东大街|5
    河南省|郑州|zz|豫:yu|中原区:410102,二七区:410103,管城回族区:410104,金水区:410105|花园路,金水路,中原路,大学路|5
    河南省|洛阳|ly|洛:luo|西工区:410303,涧西区:410305|中州中路,南昌路|1
    山东省|济南|jn|鲁:lu,泉城:quancheng|历下区:370102,市中区:370103,槐荫区:370104,历城区:370112|泉城路,经十路,纬二路,解放路|4
    山东省|青岛|qd|琴岛:qindao|市南区:370202,市北区:370203,黄岛区:370211,崂山区:370212,李沧区:370213|香港中路,延安三路,长江中路,海尔路,九水东路|5
    山东省|烟台|yt|烟:yan|芝罘区:370602,莱山区:370613|南大街,港城东大街|2
    山东省|潍坊|wf|潍:wei|潍城区:370702,奎文区:370705|胜利东街,东风东街|2
    安徽省|合肥|hf|皖:wan,庐:lu|瑶海区:340102,庐阳区:340103,蜀山区:340104,包河区:340111|长江中路,长江西路,马鞍山路,芜湖路|4
    安徽省|芜湖|wuh|芜:wu|镜湖区:340202,鸠江区:340207|中山北路,北京中路|1
    福建省|福州|fz|闽:min,榕:rong|鼓楼区:350102,台江区:350103,仓山区:350104,晋安区:350111|五四路,八一七中路,工业路,福新中路|3
    福建省|厦门|xm|鹭:lu|思明区:350203,湖里区:350206,集美区:350211|湖滨南路,厦禾路,嘉禾路,集美大道|3
    福建省|泉州|qz|泉:quan|鲤城区:350502,丰泽区:350503|刺桐路,田安路|2
    江西省|南昌|nc|赣:gan,洪城:hongcheng|东湖区:360102,西湖区:360103,青山湖区:360111|八一大道,阳明路,北京东路|2
    辽宁省|沈阳|sy|沈:shen|和平区:210102,沈河区:210103,皇姑区:210105,铁西区:210106|青年大街,三好街,北陵大街,北二中路|3
    辽宁省|大连|dl|连:lian|中山区:210202,西岗区:210203,沙河口区:210204,甘井子区:210211|人民路,五四路,西安路,华北路|3
    黑龙江省|哈尔滨|hrb|龙:long|道里区:230102,南岗区:230103,香坊区:230110|中央大街,红军街,中山路|2
    吉林省|长春|cc|吉:ji|南关区:220102,朝阳区:220104,绿园区:220106|人民大街,自由大路,西安大路|2
    河北省|石家庄|sjz|冀:ji|长安区:130102,桥西区:130104,新华区:130105,裕华区:130108|中山东路,裕华路,建华南大街|2
    山西省|太原|ty|晋:jin|小店区:140105,迎泽区:140106,杏花岭区:140107|迎泽大街,长风街,并州路|2
    云南省|昆明|km|滇:dian|五华区:530102,盘龙区:530103,官渡区:530111,西山区:530112|东风西路,北京路,春城路,滇池路|2
    贵州省|贵阳|gy|黔:qian,筑:zhu|南明区:520102,云岩区:520103,观山湖区:520115|中华北路,遵义路,长岭北路|2
    广西壮族自治区|南宁|nn|邕:yong|兴宁区:450102,青秀区:450103,西乡塘区:450107|民族大道,朝阳路,大学东路|2
    广西壮族自治区|桂林|gl|桂:gui|秀峰区:450302,七星区:450305|中山中路,七星路|1
    海南省|海口|hk|琼:qiong|秀英区:460105,龙华区:460106,美兰区:460108|国贸大道,海秀东路,滨海大道|1
    甘肃省|兰州|lz|陇:long|城关区:620102,七里河区:620103,安宁区:620105|东岗西路,西津西路,安宁西路|1
    新疆维吾尔自治区|乌鲁木齐|wlmq|天山:tianshan|天山区:650102,沙依巴克区:650103,新市区:650104|解放北路,友好北路,北京南路|1
    内蒙古自治区|呼和浩特|hhht|青城:qingcheng|新城区:150102,回民区:150103,赛罕区:150105|新华大街,中山西路,大学东街|1
    宁夏回族自治区|银川|yinc|塞上:saishang|兴庆区:640104,金凤区:640106|解放西街,北京中路|1
    青海省|西宁|xn|夏都:xiadu|城东区:630102,城中区:630103,城西区:630104|五四大街,长江路|1
    """

    static let cities: [City] = cityTable.split(separator: "\n").map { line in
        let f = line.trimmingCharacters(in: .whitespaces).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        precondition(f.count == 7, "bad city line: \(line)")
        return City(
            province: f[0], name: f[1], pinyin: f[2],
            tags: syllables(f[3], separator: ","),
            districts: f[4].split(separator: ",").map { pair in
                let p = pair.split(separator: ":")
                return District(name: String(p[0]), code: String(p[1]))
            },
            roads: f[5].split(separator: ",").map(String.init),
            weight: Int(f[6])!
        )
    }

    static let cityWeights: [Int] = cities.map(\.weight)

    // MARK: Brands

    static let brandFirst = syllables("""
    恒:heng 华:hua 鑫:xin 泰:tai 盛:sheng 宏:hong 永:yong 金:jin 瑞:rui 佳:jia 嘉:jia 诚:cheng 信:xin 安:an \
    康:kang 德:de 锦:jin 祥:xiang 新:xin 天:tian 中:zhong 立:li 润:run 博:bo 海:hai 联:lian 创:chuang 启:qi \
    和:he 优:you 尚:shang 汇:hui 明:ming 正:zheng 东:dong 兴:xing 晨:chen 凯:kai 鼎:ding 卓:zhuo 蓝:lan 银:yin \
    远:yuan 宇:yu 奥:ao 星:xing 万:wan 百:bai 广:guang 亿:yi 富:fu 长:chang 合:he 同:tong 国:guo 光:guang
    """, separator: " ")

    static let brandSecond = syllables("""
    达:da 通:tong 利:li 丰:feng 源:yuan 昌:chang 顺:shun 发:fa 盛:sheng 腾:teng 辉:hui 航:hang 远:yuan 成:cheng \
    邦:bang 信:xin 美:mei 泽:ze 峰:feng 翔:xiang 越:yue 捷:jie 拓:tuo 宁:ning 安:an 泰:tai 华:hua 鑫:xin \
    祥:xiang 威:wei 科:ke 盈:ying 益:yi 隆:long 驰:chi 晟:sheng 睿:rui 佳:jia 阳:yang 锐:rui 迪:di 豪:hao \
    胜:sheng 康:kang 瀚:han 乐:le 恒:heng 诺:nuo 创:chuang 德:de 凯:kai 兴:xing
    """, separator: " ")

    /// Share of 有限公司, 股份有限公司, 有限责任公司.
    static let companyForms: [(form: String, weight: Int)] = [("有限公司", 88), ("股份有限公司", 8), ("有限责任公司", 4)]

    /// Local parts of service mailboxes.
    static let mailboxes = ["service", "kefu", "fuwu", "cs", "support", "info", "admin", "quality", "zhiliang", "shouhou"]
    static let domainEndings = [".com", ".com.cn", ".cn", ".net"]

    // MARK: Trades

    static let industries: [Industry] = [
        Industry(nameWords: ["家电销售", "电器", "家电服务", "电器销售"], object: "家用电器",
                 services: ["送货", "安装", "维修", "退换货", "以旧换新"], sells: true, weight: 14),
        Industry(nameWords: ["汽车销售服务", "汽车服务", "汽车贸易"], object: "汽车",
                 services: ["维修保养", "配件供应", "道路救援", "召回服务"], sells: true, weight: 12),
        Industry(nameWords: ["电子商务", "网络科技"], object: "网络零售商品",
                 services: ["配送", "退换货", "客户咨询"], sells: true, weight: 8),
        Industry(nameWords: ["家具", "家居用品"], object: "家具",
                 services: ["送货", "安装", "维修", "退换货"], sells: true, weight: 7),
        Industry(nameWords: ["电梯", "电梯工程", "机电设备"], object: "电梯",
                 services: ["安装", "改造", "维修", "保养", "应急救援"], sells: false, weight: 6),
        Industry(nameWords: ["通信设备", "通信技术"], object: "通信设备",
                 services: ["安装调试", "维修", "技术支持", "备件供应"], sells: false, weight: 4),
        Industry(nameWords: ["医疗器械", "医疗设备"], object: "医疗器械",
                 services: ["安装调试", "维修", "操作培训", "技术支持"], sells: true, weight: 4),
        Industry(nameWords: ["物流", "供应链管理", "快递服务"], object: "仓储配送",
                 services: ["货物查询", "理赔", "退件处理"], sells: false, weight: 5),
        Industry(nameWords: ["空调设备", "暖通工程", "制冷设备"], object: "中央空调",
                 services: ["安装", "维修保养", "清洗", "配件供应"], sells: true, weight: 4),
        Industry(nameWords: ["电脑", "信息技术", "计算机系统"], object: "计算机及外部设备",
                 services: ["安装", "维修", "技术支持", "数据恢复"], sells: true, weight: 3),
        Industry(nameWords: ["手机", "数码科技"], object: "移动电话",
                 services: ["维修", "退换货", "以旧换新"], sells: true, weight: 3),
        Industry(nameWords: ["卫浴", "建材"], object: "卫浴洁具",
                 services: ["送货", "安装", "维修", "退换货"], sells: true, weight: 3),
        Industry(nameWords: ["门窗", "门业"], object: "门窗",
                 services: ["测量", "安装", "维修"], sells: true, weight: 3),
        Industry(nameWords: ["净水设备", "环保科技"], object: "净水设备",
                 services: ["安装", "滤芯更换", "维修", "回访"], sells: true, weight: 2),
        Industry(nameWords: ["安防科技", "智能科技"], object: "安防监控系统",
                 services: ["安装调试", "维修", "技术支持"], sells: false, weight: 2),
        Industry(nameWords: ["工程机械", "机械设备"], object: "工程机械",
                 services: ["维修", "配件供应", "操作培训", "技术支持"], sells: true, weight: 2),
        Industry(nameWords: ["电动车", "车业"], object: "电动自行车",
                 services: ["维修", "配件供应", "以旧换新"], sells: true, weight: 2),
        Industry(nameWords: ["新能源", "光伏科技"], object: "光伏发电系统",
                 services: ["安装", "运行维护", "维修"], sells: false, weight: 2),
        Industry(nameWords: ["办公设备", "办公用品"], object: "复印机、打印机等办公设备",
                 services: ["安装", "维修", "耗材供应"], sells: true, weight: 2),
        Industry(nameWords: ["厨房电器", "厨具"], object: "厨房电器",
                 services: ["安装", "维修", "清洗", "退换货"], sells: true, weight: 2),
        Industry(nameWords: ["眼镜"], object: "眼镜",
                 services: ["验光配镜", "维修调整", "退换货"], sells: true, weight: 1),
        Industry(nameWords: ["燃气具", "热水器"], object: "燃气热水器及燃气灶具",
                 services: ["安装", "维修", "安全检查"], sells: true, weight: 2),
    ]

    static let industryWeights: [Int] = industries.map(\.weight)

    /// The last item of most scopes.
    static let complaintHandling = "客户投诉处理"

    // MARK: Parsing

    private static func syllables(_ text: String, separator: Character) -> [Syllable] {
        text.split(separator: separator).map { item in
            let p = item.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":")
            return Syllable(text: String(p[0]), pinyin: String(p[1]))
        }
    }
}
